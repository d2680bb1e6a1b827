/*
 * The instance terminal (templates/console/instance_terminal.html): after each command htmx appends its entry to
 * the output, so this empties the input, keeps the newest entry in view, and lets the up and down arrows go
 * through the commands typed before, as a shell's history does. Without it the form still posts and reloads.
 */
(function () {
  "use strict";

  function setUp() {
    var form = document.querySelector(".terminal-form");
    var output = document.getElementById("terminal-output");
    var input = document.getElementById("terminal-command");
    if (!form || !output || !input) {
      return;
    }
    var history = Array.prototype.map.call(output.querySelectorAll(".terminal-command"), function (element) {
      return element.textContent;
    });
    var position = history.length;

    output.scrollTop = output.scrollHeight;

    form.addEventListener("htmx:beforeRequest", function () {
      var typed = input.value;
      if (typed.trim() && history[history.length - 1] !== typed) {
        history.push(typed);
      }
      position = history.length;
    });

    form.addEventListener("htmx:afterRequest", function () {
      input.value = "";
      input.focus();
      output.scrollTop = output.scrollHeight;
    });

    input.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") {
        return;
      }
      event.preventDefault();
      position = Math.max(0, Math.min(history.length, position + (event.key === "ArrowUp" ? -1 : 1)));
      input.value = position < history.length ? history[position] : "";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
