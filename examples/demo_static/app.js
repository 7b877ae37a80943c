// The demo's browser side: the chat over a WebSocket and the activity feed over Server-Sent
// Events. The upload form needs no script.
"use strict";

const statusLine = document.getElementById("chat-status");
const messages = document.getElementById("messages");
const form = document.getElementById("chat-form");
const input = document.getElementById("chat-input");
const scheme = location.protocol === "https:" ? "wss" : "ws";
const socket = new WebSocket(`${scheme}://${location.host}/ws`);

socket.addEventListener("open", () => {
  statusLine.textContent = "connected";
});
socket.addEventListener("close", () => {
  statusLine.textContent = "disconnected";
});
socket.addEventListener("message", (event) => {
  const item = document.createElement("li");
  item.textContent = JSON.parse(event.data).text;
  messages.append(item);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (input.value.trim() && socket.readyState === WebSocket.OPEN) {
    socket.send(input.value);
  }
  input.value = "";
});

const feed = document.getElementById("activity-feed");
const events = new EventSource("/events");
events.addEventListener("activity", (event) => {
  const item = document.createElement("li");
  item.textContent = event.data;
  feed.prepend(item);
});
