// Counts a request as solved by an article when the customer opened an article from this
// form and then leaves without sending it. Sending the form is not leaving.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  if (!form) { return; }
  var sending = false;
  form.addEventListener("submit", function () { sending = true; });
  window.addEventListener("pagehide", function () {
    if (sending || !document.querySelector(".suggestions details[open]")) { return; }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.dataset.csrf);
    navigator.sendBeacon(form.dataset.leftUrl, data);
  });
})();
