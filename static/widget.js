/* The widget inside its iframe: reports its height to the embedding page (our loader,
   WordPress, AMP) and, inside WordPress's sandbox, turns clicks on our links into
   WordPress "link" messages; adds the embedding site (from embed.js) to a signup link at
   click time. Holds no UI strings. */
(function () {
  "use strict";
  var root = document.documentElement;
  var parent = window.parent;
  var hash = location.hash;
  // embed.js appends #pauseai-widget=ID; WordPress appends #?secret=S (possibly after it).
  var id = (/pauseai-widget=([\w-]{1,64})/.exec(hash) || [])[1] || null;
  var secret = (/[#?&]secret=([A-Za-z0-9]{1,64})/.exec(hash) || [])[1] || null;
  var last = -1;
  var timer = 0;
  var site = null;

  if (parent === window) return;

  function post(message) {
    try { parent.postMessage(message, "*"); } catch (e) { /* parent gone */ }
  }

  function measure(force) {
    timer = 0;
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last && !force) return;
    last = height;
    post({ type: "pauseai-widget:height", id: id, height: height });
    post({ sentinel: "amp", type: "embed-size", height: height });
    if (secret) post({ message: "height", value: height, secret: secret });
  }

  // Timers, not requestAnimationFrame: WordPress hides the frame until the first message,
  // and hidden cross-origin frames get no animation frames.
  function schedule() {
    if (!timer) timer = setTimeout(measure, 50);
  }

  measure(true);
  window.addEventListener("load", function () { measure(true); });
  if (window.ResizeObserver) new ResizeObserver(schedule).observe(root);
  else window.addEventListener("resize", schedule);

  window.addEventListener("message", function (event) {
    var data = event.data;
    // WordPress's host script asks embeds that loaded before it to repeat their height.
    if (secret && event.source === parent && data && data.message === "ready" && data.secret === secret) {
      measure(true);
    }
  });

  // embed.js names the embedding site by a message; its origin (set by the browser) is
  // added to our /go/ links when, and only when, one is clicked: the body and its cache
  // never depend on it, and no request carries it before that click.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === parent && data && data.type === "pauseai-widget:site" &&
        /^https?:\/\/[a-z0-9.-]{1,253}(:[0-9]{1,5})?$/i.test(event.origin)) {
      site = event.origin;
    }
  });
  function carrySite(event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!site || !link || link.host !== location.host || link.pathname.indexOf("/go/") !== 0) return;
    var url = new URL(link.href);
    url.searchParams.set("site", site);
    link.href = url.href;
  }
  document.addEventListener("click", carrySite, true);
  document.addEventListener("auxclick", carrySite, true);

  // Inside WordPress's sandbox (no popups, no top navigation) links cannot open; WordPress
  // follows a "link" message to the frame's own host instead.
  if (secret) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.host !== location.host || event.defaultPrevented) return;
      if (link.getAttribute("href").charAt(0) === "#") return; // the map's dots: this page
      event.preventDefault();
      post({ message: "link", value: link.href, secret: secret });
    });
  }
})();
