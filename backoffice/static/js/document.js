/* The printable document: its button prints; ?print=1 (the counter opens it so) prints at once. */
(function () {
  "use strict";
  document.getElementById("print").addEventListener("click", () => window.print());
  if (new URLSearchParams(window.location.search).get("print") === "1") {
    window.addEventListener("load", () => setTimeout(() => window.print(), 300));
  }
})();
