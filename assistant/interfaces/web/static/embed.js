"use strict";
// One <script src="https://SERVER/embed.js" data-…></script> adds a floating button that opens the
// 政策通 widget in an iframe. Options, all optional, as data- attributes of the script tag:
//   data-id        a name for this widget's conversation (default: w0, w1, … in page order)
//   data-label     the button's text (default 政策咨询)
//   data-location  the portal's place, e.g. 鲁山县, so answers apply to it
//   data-title     the widget's title bar
// Several tags on one page make several widgets, each with its own conversation: their buttons
// stack up the right edge, an open chat sits above all of them, and opening one closes the others. The page is framed only if the server lists this portal's origin.
// On a phone (narrow window) the chat fills the screen and the buttons hide until it is closed, by
// its own 关闭 button (a message from the frame) or Escape.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var server = new URL(script.src, window.location.href).origin;
  var registry = (window.__policyWidgets = window.__policyWidgets || []);
  var index = registry.length;
  var options = script.dataset;
  var query = new URLSearchParams({ id: options.id || "w" + index });
  if (options.location) query.set("location", options.location);
  if (options.title) query.set("title", options.title);
  var label = options.label || "政策咨询";
  var GAP = 16, STEP = 60;  // px: margin to the window edge, and between stacked buttons
  var bottom = GAP + index * STEP;

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "💬 " + label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("data-policy-widget", query.get("id"));
  button.style.cssText =
    "position:fixed;right:" + GAP + "px;bottom:" + bottom + "px;z-index:2147483000;border:0;border-radius:24px;" +
    "padding:12px 18px;background:#06793f;color:#fff;font:15px/1 sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.2);";

  var PHONE = 600;  // px: at most this wide, the chat takes the whole screen
  var frame = null;
  var widget = {
    button: button,
    close: function () {
      var wasOpen = frame && frame.style.display !== "none";
      if (frame) frame.style.display = "none";
      button.setAttribute("aria-expanded", "false");
      registry.forEach(function (each) { each.button.style.visibility = ""; });
      if (wasOpen) button.focus();
    },
  };
  registry.push(widget);

  function open() {
    registry.forEach(function (other) { if (other !== widget) other.close(); });
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = server + "/widget?" + query.toString();
      frame.title = label;
      frame.setAttribute("data-policy-widget", query.get("id"));
      document.body.appendChild(frame);
    }
    var above = GAP + registry.length * STEP;  // over every button, however many tags came after this one
    if (window.innerWidth <= PHONE) {  // a phone: the whole screen, no launcher over it
      frame.style.cssText =
        "position:fixed;left:0;top:0;right:0;bottom:0;z-index:2147483001;display:block;width:100vw;height:100%;" +
        "border:0;border-radius:0;background:#ededed;";
      registry.forEach(function (each) { each.button.style.visibility = "hidden"; });
    } else {
      frame.style.cssText =
        "position:fixed;right:" + GAP + "px;bottom:" + above + "px;z-index:2147483000;display:block;" +
        "width:min(380px,calc(100vw - " + 2 * GAP + "px));height:min(620px,calc(100vh - " + (above + GAP) + "px));" +
        "border:0;border-radius:10px;background:#ededed;box-shadow:0 8px 30px rgba(0,0,0,.25);";
    }
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  // the chat's own 关闭 button: a message from this widget's frame, on this server's origin
  window.addEventListener("message", function (event) {
    if (event.origin === server && event.data && event.data.policyWidget === "close" &&
        event.data.id === query.get("id") && frame && event.source === frame.contentWindow) widget.close();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && frame && frame.style.display !== "none") widget.close();
  });

  button.addEventListener("click", function () {
    if (frame && frame.style.display !== "none") widget.close(); else open();
  });

  function mount() { document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
