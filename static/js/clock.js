/*
 * The sandbox clock, ticking in the browser (loaded on every page by base.html; a page without it is left alone).
 *
 * The clock widget (templates/console/_clock.html, one per page, marked data-sandbox-clock) carries the reading
 * it was drawn with:
 *   data-sandbox-now-ms    the sandbox's time then, in milliseconds since the epoch (UTC)
 *   data-sandbox-ahead-ms  how far the sandbox was ahead of real time then (negative: behind)
 *   data-sandbox-rate      sandbox seconds per real second (0: paused; 1, 60 or 600)
 * Every second this script works the sandbox's time out from that reading and the time passed since the widget
 * appeared, so the server is never polled. An htmx swap of the widget (a clock change) brings a new reading.
 *
 * Countdowns, for any page or region: give an element the attribute
 *   data-sandbox-expires="2026-11-29T04:12:00Z"     (an ISO 8601 time, sandbox time)
 * and its text becomes "expires in 54 min 10 s", then "expired" (with the class countdown-expired), counted
 * against the sandbox clock on the page (the browser's clock if the page has none). Server side, the template
 * tag {% expiry_countdown expires_at %} of the sandbox_clock library draws such an element with the right words
 * for the first second. Elements added later by htmx are picked up on the next tick.
 */
(function () {
  "use strict";

  var UNITS = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];
  var seenAt = new WeakMap();

  // The largest two units, as console/clock.py's duration_words says it: "2 d 3 h", "54 min 10 s", "8 s".
  function durationWords(seconds) {
    var left = Math.floor(Math.abs(seconds));
    var amounts = UNITS.map(function (unit) {
      var amount = Math.floor(left / unit[0]);
      left -= amount * unit[0];
      return [amount, unit[1]];
    });
    var first = amounts.findIndex(function (part) { return part[0] > 0; });
    if (first === -1) {
      return "0 s";
    }
    return amounts.slice(first, first + 2)
      .filter(function (part) { return part[0] > 0; })
      .map(function (part) { return part[0] + " " + part[1]; })
      .join(" ");
  }

  function reading(widget) {
    if (!seenAt.has(widget)) {
      seenAt.set(widget, Date.now());
    }
    var elapsed = Date.now() - seenAt.get(widget);
    var rate = Number(widget.dataset.sandboxRate);
    return {
      now: Number(widget.dataset.sandboxNowMs) + elapsed * rate,
      ahead: Number(widget.dataset.sandboxAheadMs) + elapsed * (rate - 1),
    };
  }

  function sandboxTimeWords(ms) {
    return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  function aheadWords(ms) {
    var seconds = ms / 1000;
    if (Math.abs(seconds) < 1) {
      return "on real time";
    }
    return durationWords(seconds) + (seconds > 0 ? " ahead of real time" : " behind real time");
  }

  function tick() {
    var widget = document.querySelector("[data-sandbox-clock]");
    var now = Date.now();
    if (widget) {
      var read = reading(widget);
      now = read.now;
      var time = widget.querySelector("[data-clock-time]");
      if (time) {
        time.textContent = sandboxTimeWords(read.now);
        time.setAttribute("datetime", new Date(read.now).toISOString());
      }
      var ahead = widget.querySelector("[data-clock-ahead]");
      if (ahead) {
        ahead.textContent = aheadWords(read.ahead);
      }
    }
    document.querySelectorAll("[data-sandbox-expires]").forEach(function (element) {
      var expires = Date.parse(element.dataset.sandboxExpires);
      if (Number.isNaN(expires)) {
        return;
      }
      var left = (expires - now) / 1000;
      var expired = left < 1;
      var words = expired ? "expired" : "expires in " + durationWords(left);
      if (element.textContent !== words) {
        element.textContent = words;
      }
      element.classList.toggle("countdown-expired", expired);
    });
  }

  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
