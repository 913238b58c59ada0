/* PauseAI widget loader. Each [data-pauseai-widget] placeholder becomes an iframe sized by
   the widget's height messages; its link stays in the DOM (hidden) as the fallback and is
   shown again if the widget never reports. data-consent="click" asks first. The value
   names an event, "next" or "upcoming" (every upcoming event; data-limit bounds them);
   data-layout="compact" asks for the one-line banner. One global (PauseAIWidget.scan()
   mounts placeholders added later), no cookies, no UI strings. Once a widget reports, it
   is told this page's origin (location.origin, never its path) by a message, for its
   signup links to carry when clicked. */
(function (w, d) {
  "use strict";
  if (w.PauseAIWidget) return w.PauseAIWidget.scan();
  var me = d.currentScript || d.querySelector('script[src*="/embed.js"]');
  if (!me) return;
  var origin = new URL(me.src, location.href).origin;
  var frames = [];
  var count = 0;
  var PARAMS = ["lang", "theme", "accent", "country", "city", "layout", "limit", "map"];

  function data(el, name) { return (el.getAttribute("data-" + name) || "").trim(); }

  function setHidden(nodes, hidden) {
    for (var i = 0; i < nodes.length; i++) nodes[i].hidden = hidden;
  }

  w.addEventListener("message", function (e) {
    var m = e.data, h = m && +m.height;
    if (e.origin !== origin || !m || m.type !== "pauseai-widget:height" || !(h > 0 && h < 20000)) return;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.frame.contentWindow === e.source) {
        f.frame.style.height = Math.ceil(h) + "px";
        // Tell the widget which site embeds it (its origin is this message's origin; no
        // path, nothing about the visitor): it counts signup clicks by site, at click time.
        if (!f.ok) e.source.postMessage({ type: "pauseai-widget:site" }, origin);
        f.ok = 1;
      }
    }
  });

  function mount(el) {
    var query = [], i, v, kids = [].slice.call(el.children);
    var frame = d.createElement("iframe"), entry = { frame: frame, ok: 0 }, s = frame.style;
    for (i = 0; i < PARAMS.length; i++) {
      if ((v = data(el, PARAMS[i]))) query.push(PARAMS[i] + "=" + encodeURIComponent(v));
    }
    // data-geolocation="allow": the embedder lets the widget offer "use my location".
    if (data(el, "geolocation") === "allow") {
      query.push("geolocation=allow");
      frame.setAttribute("allow", "geolocation");
    }
    frame.src = origin + "/embed/" + encodeURIComponent(data(el, "pauseai-widget") || "next") +
      (query.length ? "?" + query.join("&") : "") + "#pauseai-widget=w" + ++count;
    frame.title = data(el, "title") || el.textContent.trim().replace(/\s+/g, " ");
    frame.loading = "lazy";
    frame.setAttribute("scrolling", "no");
    s.width = "100%";
    s.height = data(el, "layout") === "compact" ? "100px" : "400px";
    s.border = "0";
    s.display = "block";
    frames.push(entry);
    // No height message a few seconds after the frame loaded: blocked or broken; show the link.
    frame.addEventListener("load", function () {
      setTimeout(function () {
        if (!entry.ok && frame.parentNode) {
          frame.parentNode.removeChild(frame);
          setHidden(kids, false);
        }
      }, 4000);
    });
    setHidden(kids, true);
    el.appendChild(frame);
  }

  function facade(el) {
    var button = d.createElement("button"), text = data(el, "consent-text"), p;
    button.type = "button";
    button.textContent = data(el, "consent-button") || el.textContent.trim().replace(/\s+/g, " ");
    if (text) {
      p = d.createElement("p");
      p.textContent = text;
      el.appendChild(p);
    }
    el.appendChild(button);
    button.addEventListener("click", function () {
      el.removeChild(button);
      if (p) el.removeChild(p);
      mount(el);
      var frame = el.querySelector("iframe");
      if (frame) frame.focus();
    });
  }

  function scan() {
    var list = d.querySelectorAll("[data-pauseai-widget]");
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.hasAttribute("data-pauseai-mounted")) continue;
      el.setAttribute("data-pauseai-mounted", "");
      if (data(el, "consent") === "click") facade(el);
      else mount(el);
    }
  }

  w.PauseAIWidget = { scan: scan };
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan);
  else scan();
})(window, document);
