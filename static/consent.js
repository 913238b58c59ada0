/* Consent facades for third-party media (markup: templates/_consent.html). Nothing is
   requested from a provider before the visitor clicks "Load". "Always allow" is kept per
   provider in localStorage, or in memory where storage throws (WordPress's sandbox).
   Withdrawing removes the embed, restores the facade and forgets the choice. */
(function () {
  "use strict";
  var memory = {};
  var loadedScripts = {};

  function storageKey(provider) { return "pauseai-widget:consent:" + provider; }

  function remembered(provider) {
    try { return window.localStorage.getItem(storageKey(provider)) === "1"; }
    catch (e) { return memory[provider] === true; }
  }

  function remember(provider, allowed) {
    memory[provider] = allowed;
    try {
      if (allowed) window.localStorage.setItem(storageKey(provider), "1");
      else window.localStorage.removeItem(storageKey(provider));
    } catch (e) { /* storage unavailable: memory only */ }
  }

  function darkTheme() {
    var theme = document.documentElement.getAttribute("data-theme");
    return theme === "dark" || (theme === "auto" && window.matchMedia &&
      window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function embedX(section, box) {
    var quote = document.createElement("blockquote");
    var link = document.createElement("a");
    quote.className = "twitter-tweet";
    quote.setAttribute("data-dnt", "true");
    if (darkTheme()) quote.setAttribute("data-theme", "dark");
    link.href = section.getAttribute("data-url");
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = link.href;
    quote.appendChild(link);
    box.appendChild(quote);
    var src = section.getAttribute("data-script");
    if (window.twttr && window.twttr.widgets) window.twttr.widgets.load(box);
    else if (src && !loadedScripts[src]) {
      loadedScripts[src] = true;
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onerror = function () { loadedScripts[src] = false; };
      document.head.appendChild(script);
    }
  }

  function embedFrame(section, box) {
    var frame = document.createElement("iframe");
    frame.src = section.getAttribute("data-embed");
    frame.title = section.getAttribute("data-title") || "";
    frame.allow = "encrypted-media; picture-in-picture; fullscreen";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    box.appendChild(frame);
  }

  function part(section, selector) { return section.querySelector(selector); }

  function show(section, focus) {
    var box = part(section, ".embed");
    if (!box.hidden) return;
    box.textContent = "";
    if (section.getAttribute("data-embed")) embedFrame(section, box);
    else embedX(section, box);
    part(section, ".facade").hidden = true;
    box.hidden = false;
    part(section, ".withdraw").hidden = false;
    if (focus) part(section, ".withdraw button").focus();
  }

  function hide(section, focus) {
    var box = part(section, ".embed");
    box.textContent = "";
    box.hidden = true;
    part(section, ".withdraw").hidden = true;
    part(section, ".facade").hidden = false;
    part(section, ".always").checked = false;
    if (focus) part(section, ".load").focus();
  }

  function sections(provider) {
    return document.querySelectorAll('[data-consent="' + provider + '"]');
  }

  function each(list, action) {
    for (var i = 0; i < list.length; i++) action(list[i]);
  }

  each(document.querySelectorAll("[data-consent]"), function (section) {
    var provider = section.getAttribute("data-consent");
    part(section, ".controls").hidden = false;
    part(section, ".load").addEventListener("click", function () {
      if (part(section, ".always").checked) {
        remember(provider, true);
        each(sections(provider), function (other) { show(other, other === section); });
      } else {
        show(section, true);
      }
    });
    part(section, ".withdraw button").addEventListener("click", function () {
      remember(provider, false);
      each(sections(provider), function (other) { hide(other, other === section); });
    });
    if (remembered(provider)) {
      part(section, ".always").checked = true;
      show(section, false);
    }
  });
})();
