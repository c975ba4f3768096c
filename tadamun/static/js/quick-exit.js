// Quick exit: leave for a neutral site at once, replacing this page in the history (so
// "back" does not return to it), by the link on every page or by pressing Shift three times
// within a second (as GOV.UK's "Exit this page"). Without JavaScript the link goes to /exit/,
// which does the same with a zero-second refresh.
(function () {
  "use strict";
  var link = document.querySelector("a.quick-exit[data-exit-to]");
  if (!link) return;
  var target = link.getAttribute("data-exit-to");
  function leave(event) {
    if (event) event.preventDefault();
    document.body.hidden = true; // nothing of the page stays on screen while the next loads
    try {
      window.history.replaceState(null, "", "/");
    } catch (ignored) {}
    window.location.replace(target);
  }
  link.addEventListener("click", leave);
  var presses = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") return;
    var now = Date.now();
    presses = presses.filter(function (time) { return now - time < 1000; });
    presses.push(now);
    if (presses.length >= 3) leave();
  });
})();
