// The print button of the link cards: shown only where JavaScript runs (the page says how to print without it).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
