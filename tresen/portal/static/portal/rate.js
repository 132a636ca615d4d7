// One click in the mail: the page sends the chosen rating itself. Mail scanners that open
// links without running scripts only see the page, so they rate nothing.
(function () {
  "use strict";
  var form = document.getElementById("rate-form");
  if (form && form.dataset.autosubmit === "1" && form.querySelector("input[name=score]:checked")) {
    form.submit();
  }
})();
