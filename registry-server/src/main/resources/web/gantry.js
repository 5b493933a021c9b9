// Gantry's web page works without this script; with it, a decision cannot be sent twice by a double click.
document.addEventListener("submit", function (event) {
  var form = event.target;
  // after the browser has taken the clicked button's formaction, so disabling it changes nothing that is sent
  setTimeout(function () {
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
  }, 0);
});
