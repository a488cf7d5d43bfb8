"use strict";
// The widget's chat: one conversation per instance id (from the URL, set by embed.js), kept in
// sessionStorage under that id so two widgets on one portal page never mix. Everything shown is
// set with textContent: answers and questions are data, never markup. An answer shows its lead and
// each tagged quote folded to its first sentence, with 展开 for the rest.
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
  var count = document.getElementById("count");
  var closeButton = document.getElementById("close");

  if (params.get("title")) {
    document.getElementById("title").textContent = params.get("title");
    document.title = params.get("title");
  }
  if (place) {
    var placeTag = document.getElementById("place");
    placeTag.textContent = "所在地区：" + place;
    placeTag.hidden = false;
  }
  if (window.parent !== window) {  // inside a portal's frame: the panel closes itself
    closeButton.hidden = false;
    closeButton.addEventListener("click", function () {
      window.parent.postMessage({ policyWidget: "close", id: instance }, "*");
    });
  }

  // What the widget says, in the asker's language: English when the question is written in English.
  var SAID = {
    zh: {
      empty: "请先输入您的问题。",
      tooLong: function (n) { return "问题太长了（" + n + " 字），请精简到 " + maxChars + " 字以内再问。"; },
      over: function (n) { return "已超出 " + (n - maxChars) + " 字"; },
      offline: "网络连接失败，问题没有发出。请检查网络后再点“发送”，您的问题还在输入框里。",
      failed: "服务暂时不可用，请稍后再试。您的问题还在输入框里。",
      searching: "正在查找政策原文…",
      expand: "展开", fold: "收起",
    },
    en: {
      empty: "Please type your question first.",
      tooLong: function (n) { return "The question is too long (" + n + " characters); please keep it within " + maxChars + "."; },
      over: function (n) { return (n - maxChars) + " characters over"; },
      offline: "No connection: the question was not sent. Check the network and press send again; your question is still in the box.",
      failed: "The service is unavailable for the moment; please try again later. Your question is still in the box.",
      searching: "Looking up the policy texts…",
      expand: "More", fold: "Less",
    },
  };
  function language(text) {
    return /[A-Za-z]{3}/.test(text) && !/[\u3400-\u9fff]/.test(text) ? "en" : "zh";
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storageKey)) || []; } catch (e) { return []; }
  }
  var turns = load();  // [{role: "user"|"assistant", content, citations?}]

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

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function tag(citation) {
    var where = citation.jurisdiction.level === "national" ? "国家层面" : citation.jurisdiction.name;
    var parts = [where, citation.document.number, citation.document.draft, citation.reference || citation.clause];
    return "【" + parts.filter(Boolean).join(" · ") + "】";
  }

  var STATUS = { draft: "draft", ended: "ended" };
  var folds = 0;  // ids of the folded parts, for aria-controls
  function statusLabel(citation) {
    if (citation.status === "draft") return citation.document.draft + "（未正式施行）";
    if (citation.status === "ended" || citation.expired) return "已过期";
    return citation.status === "trial" ? "试行" : "现行有效";
  }

  // The answer folded: its lead, then each quote's tag, status and first sentence, 展开 for the rest.
  function showAnswer(node, text, citations, said) {
    node.textContent = "";
    node.appendChild(element("p", "lead", text.split("\n\n")[0]));
    if (!citations || !citations.length) return;
    var quotes = element("ol", "quotes");
    citations.forEach(function (citation, index) {
      var item = element("li", "quote");
      var head = element("div", "quote-tag", (index + 1) + ". " + tag(citation) + "《" + citation.document.title + "》");
      head.appendChild(element("span", "quote-status " + (STATUS[citation.status] || ""), statusLabel(citation)));
      item.appendChild(head);
      var first = (citation.quote.match(/^[^。；！？]*[。；！？]?/) || [citation.quote])[0];
      var folded = "“" + first + (first.length < citation.quote.length ? "…" : "”");
      var whole = "“" + citation.quote + "”";
      var quote = element("p", "quote-text", folded);
      item.appendChild(quote);
      var more = element("div", "quote-more");
      more.hidden = true;
      more.id = "quote-more-" + (++folds);
      if (citation.department) more.appendChild(element("p", null, "负责部门：" + citation.department));
      more.appendChild(element("p", null, "有效期：" + (citation.valid_until ? "至 " + citation.valid_until : "未写明截止日期")));
      var toggle = element("button", "expand", said.expand);
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", more.id);
      toggle.addEventListener("click", function () {
        more.hidden = !more.hidden;
        quote.textContent = more.hidden ? folded : whole;
        toggle.textContent = more.hidden ? said.expand : said.fold;
        toggle.setAttribute("aria-expanded", String(!more.hidden));
      });
      item.appendChild(more);
      item.appendChild(toggle);
      quotes.appendChild(item);
    });
    node.appendChild(quotes);
  }

  function problem(question, said) {
    if (!question) return said.empty;
    if (question.length > maxChars) return said.tooLong(question.length);
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
    var said = SAID[language(question)];
    var history = turns.slice(-HISTORY_TURNS).map(function (t) { return { role: t.role, content: t.content }; });
    bubble("user", question);
    var reply = bubble("assistant", said.searching, "pending");
    send.disabled = true;
    try {
      var response;
      try {
        response = await fetch("api/ask/stream", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ question: question, history: history, location: place }),
        });
      } catch (offline) {
        throw new Error(said.offline);
      }
      if (!response.ok) {
        var failure = await response.json().catch(function () { return {}; });
        throw new Error(failure.error || said.failed);
      }
      var text = "", row = null, broken = null;
      await readEvents(response, function (name, data) {
        if (name === "chunk") {
          if (!text) reply.classList.remove("pending");
          text += data.text;
          reply.textContent = text;
        } else if (name === "done") {
          row = data;
        } else if (name === "error") {
          broken = data.error;
        }
      });
      if (!row) throw new Error(broken || said.failed);
      reply.classList.remove("pending");
      showAnswer(reply, row.answer, row.citations, said);
      list.scrollTop = reply.offsetTop - 12;  // the answer's start in view: it leads with the rule
      turns.push({ role: "user", content: question }, { role: "assistant", content: row.answer, citations: row.citations });
      save();
    } catch (error) {
      reply.classList.remove("pending");
      reply.classList.add("error");
      reply.textContent = (error instanceof TypeError || !error.message) ? said.offline : error.message;
      if (!input.value.trim()) { input.value = question; showCount(); }  // a failed send keeps the typed text
    } finally {
      send.disabled = false;
    }
  }

  function showCount() {
    var n = input.value.trim().length;
    count.textContent = n > maxChars ? SAID[language(input.value)].over(n) : "";
  }

  turns.forEach(function (turn) {
    var node = bubble(turn.role, turn.content);
    if (turn.role === "assistant" && turn.citations) showAnswer(node, turn.content, turn.citations, SAID[language(turn.content)]);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send.disabled) return;
    var question = input.value.trim();
    var said = SAID[language(question)];
    var why = problem(question, said);
    if (why) { bubble("assistant", why, "error"); return; }  // the text stays in the box, to be shortened
    input.value = "";
    showCount();
    ask(question);
  });
  input.addEventListener("input", showCount);
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
