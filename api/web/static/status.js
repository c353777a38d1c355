/* Follows a background job (plan or staffing run) on its page: polls the page's own status
   endpoint named by data-status-url (state, progress, message and error already in the page's
   language), shows them, and reloads the page once the job has finished (the server then
   renders the result). */
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var message = box.querySelector("[data-status-message]");
  var state = box.querySelector("[data-status-state]");
  var error = box.querySelector("[data-status-error]");
  var finished = ["succeeded", "failed", "cancelled"];

  function show(job) {
    if (bar) {
      bar.value = job.progress;
    }
    if (message) {
      message.textContent = job.message || "";
    }
    if (state) {
      state.textContent =
        job.state_label || box.getAttribute("data-label-" + job.state) || job.state;
      state.className = "state state-" + job.state;
    }
    if (error) {
      if (job.error) {
        error.textContent = (error.getAttribute("data-label") || "") + ": " + job.error;
        error.hidden = false;
      } else {
        error.hidden = true;
      }
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          window.location.reload(); /* signed out: the page sends us to the login */
          return null;
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        if (!job) {
          return;
        }
        show(job);
        if (finished.indexOf(job.state) >= 0) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();
