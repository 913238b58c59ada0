/* Share buttons of the event page (markup: templates/_share.html). The links work without
   this script; it only reveals "copy link" where the clipboard is available and "share
   with another app" where navigator.share is (Signal and other apps have no share URL).
   Nothing is requested by it: the browser's own share sheet and clipboard do the work.
   Holds no UI strings (the confirmation comes from data-done). */
(function () {
  "use strict";
  var copies = document.querySelectorAll("[data-share-copy]");
  var natives = document.querySelectorAll("[data-share-native]");
  var i;

  function reveal(button) { button.parentNode.hidden = false; }

  if (navigator.clipboard && window.isSecureContext) {
    for (i = 0; i < copies.length; i++) {
      reveal(copies[i]);
      copies[i].addEventListener("click", function (event) {
        var button = event.currentTarget, label = button.textContent;
        navigator.clipboard.writeText(button.getAttribute("data-share-copy")).then(function () {
          button.textContent = button.getAttribute("data-done");
          button.setAttribute("aria-live", "polite");
          setTimeout(function () { button.textContent = label; }, 2500);
        }, function () { /* refused: the links remain */ });
      });
    }
  }
  if (navigator.share) {
    for (i = 0; i < natives.length; i++) {
      reveal(natives[i]);
      natives[i].addEventListener("click", function (event) {
        var button = event.currentTarget;
        navigator.share({
          title: button.getAttribute("data-title"),
          text: button.getAttribute("data-text"),
          url: button.getAttribute("data-share-native")
        }).catch(function () { /* dismissed */ });
      });
    }
  }
})();
