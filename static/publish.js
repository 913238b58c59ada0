/* The publish page: live preview and copy buttons. Without this script the builder is a
   plain GET form that re-renders the page. With it, every change re-fetches the page for
   the new options (the server builds the snippets: one source of truth) and swaps in the
   snippets, the preview URL and, for another event, its countries and cities. Holds no
   UI strings: messages come from data-* attributes rendered in the page's language. */
(function (w, d) {
  "use strict";
  var form = d.querySelector("[data-publish-form]");
  var preview = d.querySelector("[data-preview-frame]");
  var status = d.querySelector(".copied");
  if (!form || !preview || !status) return;
  var timer = 0;
  var pending = null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "") params.append(name, value);
    });
    return params.toString();
  }

  function swap(doc, selector) {
    var fresh = doc.querySelector(selector), old = d.querySelector(selector);
    if (fresh && old) old.replaceWith(d.importNode(fresh, true));
  }

  function refresh(eventChanged) {
    var url = form.action.split("#")[0] + "?" + query();
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(url, { signal: pending.signal, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, "[data-snippets]");
        if (eventChanged) swap(doc, "[data-filters]");
        var next = doc.querySelector("[data-preview-frame]");
        if (next && next.getAttribute("src") !== preview.getAttribute("src")) {
          preview.setAttribute("src", next.getAttribute("src"));
        }
        showCopyButtons();
        history.replaceState(null, "", url + "#builder");
      })
      .catch(function () { /* aborted or offline: the submit button still works */ });
  }

  form.addEventListener("change", function (event) {
    var eventChanged = event.target && event.target.name === "event";
    if (eventChanged) {
      // The new event has other countries and cities: drop the old filter.
      [].forEach.call(form.querySelectorAll("[data-filters] input:checked"), function (box) {
        box.checked = false;
      });
    }
    clearTimeout(timer);
    timer = setTimeout(function () { refresh(eventChanged); }, 150);
  });

  // The preview sizes itself from the widget's height messages (our own origin only).
  w.addEventListener("message", function (event) {
    var data = event.data, height = data && +data.height;
    if (event.origin !== location.origin || event.source !== preview.contentWindow) return;
    if (data.type === "pauseai-widget:height" && height > 0 && height < 20000) {
      preview.style.height = Math.ceil(height) + "px";
    }
  });

  function say(message) {
    status.textContent = "";
    setTimeout(function () { status.textContent = message; }, 30);
  }

  function fallback(area) {
    area.focus();
    area.select();
    var copied = false;
    try { copied = d.execCommand("copy"); } catch (e) { copied = false; }
    say(status.getAttribute(copied ? "data-copied" : "data-copy-failed"));
  }

  d.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var area = d.getElementById(button.getAttribute("data-copy"));
    if (!area) return;
    if (navigator.clipboard && w.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(
        function () { say(status.getAttribute("data-copied")); },
        function () { fallback(area); }
      );
    } else {
      fallback(area);
    }
  });

  function showCopyButtons() {
    [].forEach.call(d.querySelectorAll("[data-copy]"), function (button) { button.hidden = false; });
  }
  showCopyButtons();
})(window, document);
