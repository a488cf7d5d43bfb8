"use strict";
// The widget's chat: one conversation per instance id (from the URL, set by embed.js), kept in
// sessionStorage under that id so two widgets on one portal page never mix. Everything shown is
// set with textContent: answers and questions are data, never markup.
(function () {
  var params = new URLSearchParams(window.location.search);
  var instance = params.get("id") || "default";
  var place = params.get("location") || null;
  var storageKey = "policy-widget:" + instance;
  var maxChars = Number(document.body.dataset.maxChars) || 500;
  var HISTORY_TURNS = 6;

  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("question");
  var send = document.getElementById("send");

  if (params.get("title")) {
    document.getElementById("title").textContent = params.get("title");
    document.title = params.get("title");
  }
  if (place) {
    var placeTag = document.getElementById("place");
    placeTag.textContent = "所在地区：" + place;
    placeTag.hidden = false;
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storageKey)) || []; } catch (e) { return []; }
  }
  var turns = load();  // [{role: "user"|"assistant", content}]

  function save() {
    try { sessionStorage.setItem(storageKey, JSON.stringify(turns)); } catch (e) { /* private mode: chat still works */ }
  }

  function bubble(role, text, extra) {
    var node = document.createElement("div");
    node.className = "bubble " + (role === "user" ? "user" : "bot") + (extra ? " " + extra : "");
    node.textContent = text;
    list.appendChild(node);
    list.scrollTop = list.scrollHeight;
    return node;
  }

  function problem(question) {
    if (!question) return "请先输入您的问题。";
    if (question.length > maxChars) return "问题太长了，请精简到 " + maxChars + " 字以内再问。";
    return null;
  }

  // Server-sent events from a fetch body: calls onEvent(name, data) for each complete event.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var step = await reader.read();
      if (step.done) break;
      buffer += decoder.decode(step.value, { stream: true });
      var end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var name = "message", data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event: ") === 0) name = line.slice(7);
          else if (line.indexOf("data: ") === 0) data += line.slice(6);
        });
        onEvent(name, JSON.parse(data));
      }
    }
  }

  async function ask(question) {
    var history = turns.slice(-HISTORY_TURNS);
    bubble("user", question);
    var reply = bubble("assistant", "正在查找政策原文…", "pending");
    send.disabled = true;
    try {
      var response = await fetch("api/ask/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: question, history: history, location: place }),
      });
      if (!response.ok) {
        var failure = await response.json().catch(function () { return {}; });
        throw new Error(failure.error || "服务暂时不可用，请稍后再试。");
      }
      var text = "";
      var answer = null;
      await readEvents(response, function (name, data) {
        if (name === "chunk") {
          if (!text) {  // keep the answer's start in view as it grows: it leads with the rule
            reply.classList.remove("pending");
            list.scrollTop = reply.offsetTop - 12;
          }
          text += data.text;
          reply.textContent = text;
        } else if (name === "done") {
          answer = data.answer;
        }
      });
      reply.textContent = answer || text;
      turns.push({ role: "user", content: question }, { role: "assistant", content: answer || text });
      save();
    } catch (error) {
      reply.classList.remove("pending");
      reply.classList.add("error");
      reply.textContent = error.message || "网络不太稳定，请稍后再试。";
    } finally {
      send.disabled = false;
    }
  }

  turns.forEach(function (turn) { bubble(turn.role, turn.content); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send.disabled) return;
    var question = input.value.trim();
    var why = problem(question);
    if (why) { bubble("assistant", why, "error"); return; }
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("clear").addEventListener("click", function () {
    turns = [];
    save();
    Array.prototype.slice.call(list.querySelectorAll(".bubble:not(.welcome)")).forEach(function (n) { n.remove(); });
  });
})();
