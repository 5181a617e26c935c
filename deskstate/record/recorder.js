/*
 * deskstate recorder: sends the iAdvize desk's events, as the page beside the desk receives them,
 * to a `deskstate record` receiver, which appends them to a log that `deskstate replay` reads.
 *
 *   <script src="http://127.0.0.1:8765/deskstate/recorder.js"></script>
 *   <script>deskstateRecorder.start({ token: "TOKEN", desk: "agent-42" });</script>
 *
 * It keeps only `message` events whose origin is a desk origin (`origins`, default the two
 * origins of the iAdvize desk) and whose data is a desk event (`event` starting with
 * "com.iadvize.desk."), wraps each in an envelope {data, ts (epoch ms), desk, origin}, numbers it
 * in this page's session, and sends them in order, in batches, one request at a time. A batch
 * that fails (network, receiver down, 5xx) is sent again, from the same first record, after a
 * growing delay; the receiver stores each numbered record once, so nothing is duplicated. A batch
 * the receiver refuses whole (400, 403, 413) is dropped with a console warning. When the page is
 * hidden, what is not yet acknowledged is sent with navigator.sendBeacon (or fetch keepalive).
 *
 * Nothing here throws into the page or blocks it: every entry point catches its errors, sends are
 * asynchronous, and the queue is bounded (records beyond `maxQueue` are dropped and counted).
 * No dependencies, no build step.
 */
(function () {
  "use strict";

  var PREFIX = "com.iadvize.desk.";
  var DEFAULTS = {
    origins: ["https://ha.iadvize.com", "https://sd.iadvize.com"],
    maxBatch: 200, // records in one request
    maxBatchBytes: 512 * 1024, // below the receiver's body limit (1 MiB by default)
    maxBeaconBytes: 60 * 1024, // browsers cap a beacon or keepalive request at 64 KiB
    maxRecordBytes: 256 * 1024, // the receiver's record limit, by default
    maxQueue: 10000, // records kept while the receiver cannot be reached
    delayMs: 100, // wait this long for more records before sending a batch
    retryMs: 500, // first delay before sending a failed batch again; doubles up to maxRetryMs
    maxRetryMs: 10000,
  };

  var here = null;
  try {
    here = document.currentScript && document.currentScript.src;
  } catch (ignored) {
    here = null;
  }

  function warn(message) {
    try {
      console.warn("deskstate recorder: " + message);
    } catch (ignored) {
      // no console: nothing to tell
    }
  }

  function newSession() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function Recorder(options) {
    var config = {};
    for (var key in DEFAULTS) config[key] = key in options ? options[key] : DEFAULTS[key];
    this.config = config;
    this.token = options.token;
    this.desk = options.desk;
    this.endpoint = options.endpoint || new URL("records", here).href;
    this.origins = config.origins.slice();
    this.session = newSession();
    this.next = 1; // the number of the next record captured
    this.pending = []; // records not yet acknowledged, oldest first: {n, json}
    this.sending = false;
    this.timer = null;
    this.retryMs = config.retryMs;
    this.stopped = false;
    this.warned = {};
    this.counts = {
      captured: 0, acknowledged: 0, stored: 0, duplicates: 0, rejected: 0, dropped: 0, failed: 0,
      retries: 0, errors: 0,
    };
    var self = this;
    this.onMessage = function (event) {
      self.guard(function () {
        self.capture(event);
      });
    };
    this.onHide = function (event) {
      self.guard(function () {
        if (event.type === "pagehide" || document.visibilityState === "hidden") self.beacon();
      });
    };
    window.addEventListener("message", this.onMessage);
    window.addEventListener("pagehide", this.onHide);
    document.addEventListener("visibilitychange", this.onHide);
  }

  Recorder.prototype.guard = function (action) {
    try {
      action();
    } catch (error) {
      this.counts.errors += 1;
      warn("internal error: " + error);
    }
  };

  Recorder.prototype.warnOnce = function (kind, message) {
    if (!this.warned[kind]) warn(message);
    this.warned[kind] = true;
  };

  Recorder.prototype.capture = function (event) {
    if (this.stopped || this.origins.indexOf(event.origin) < 0) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.event !== "string") return;
    if (data.event.lastIndexOf(PREFIX, 0) !== 0) return;
    var envelope = { data: data, ts: Date.now(), origin: event.origin };
    if (this.desk !== undefined && this.desk !== null) envelope.desk = this.desk;
    var json = JSON.stringify(envelope);
    if (json.length > this.config.maxRecordBytes) {
      this.counts.dropped += 1;
      warn("dropped a " + data.event + " of " + json.length + " characters: too large to send");
      return;
    }
    if (this.pending.length >= this.config.maxQueue) {
      this.counts.dropped += 1;
      this.warnOnce("queue", "the receiver is not keeping up: records are dropped");
      return;
    }
    this.pending.push({ n: this.next, json: json });
    this.next += 1;
    this.counts.captured += 1;
    this.schedule(this.config.delayMs);
  };

  Recorder.prototype.schedule = function (delay) {
    if (this.sending || this.timer !== null || this.stopped || !this.pending.length) return;
    var self = this;
    this.timer = setTimeout(function () {
      self.timer = null;
      self.guard(function () {
        self.send();
      });
    }, delay);
  };

  // The body of a request carrying `records`, the oldest pending ones.
  Recorder.prototype.body = function (records) {
    return (
      '{"token":' + JSON.stringify(String(this.token)) + ',"session":"' + this.session +
      '","first":' + records[0].n + ',"records":[' +
      records.map(function (record) { return record.json; }).join(",") + "]}"
    );
  };

  // The oldest pending records, as many as fit `maxCount` records and `maxBytes` (at least one).
  Recorder.prototype.head = function (maxCount, maxBytes) {
    var records = [];
    var size = 0;
    for (var i = 0; i < this.pending.length && records.length < maxCount; i++) {
      size += this.pending[i].json.length + 1;
      if (records.length && size > maxBytes) break;
      records.push(this.pending[i]);
    }
    return records;
  };

  Recorder.prototype.send = function () {
    if (this.sending || this.stopped || !this.pending.length) return;
    var records = this.head(this.config.maxBatch, this.config.maxBatchBytes);
    var self = this;
    var request;
    try {
      request = fetch(this.endpoint, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: this.body(records),
      });
    } catch (error) {
      this.failed(String(error));
      return;
    }
    this.sending = true;
    request
      .then(function (response) {
        return response.json().then(function (answer) {
          self.guard(function () {
            self.answered(response.status, answer, records);
          });
        });
      })
      .catch(function (error) {
        self.guard(function () {
          self.failed(String(error));
        });
      });
  };

  Recorder.prototype.answered = function (status, answer, records) {
    if (status === 200 && answer && typeof answer.acknowledged === "number") {
      this.acknowledge(answer.acknowledged);
      this.counts.stored += answer.stored || 0;
      this.counts.duplicates += answer.duplicates || 0;
      var rejected = answer.rejected || [];
      this.counts.rejected += rejected.length;
      for (var i = 0; i < rejected.length; i++) {
        warn("record " + rejected[i].n + " rejected: " + rejected[i].reason);
      }
      this.done();
    } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // Refused whole: sending it again would be refused again.
      this.acknowledge(records[records.length - 1].n);
      this.counts.failed += records.length;
      warn("the receiver refused " + records.length + " records (" + status + "): " +
        (answer && answer.error));
      this.done();
    } else {
      this.failed("status " + status);
    }
  };

  Recorder.prototype.acknowledge = function (last) {
    var settled = 0;
    while (settled < this.pending.length && this.pending[settled].n <= last) settled += 1;
    this.pending.splice(0, settled);
    if (last > this.counts.acknowledged) this.counts.acknowledged = last;
  };

  Recorder.prototype.done = function () {
    this.sending = false;
    this.retryMs = this.config.retryMs;
    this.warned.down = false;
    this.schedule(0);
  };

  Recorder.prototype.failed = function (why) {
    this.sending = false;
    this.counts.retries += 1;
    this.warnOnce("down", "cannot reach the receiver (" + why + "): will try again");
    this.schedule(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.config.maxRetryMs);
  };

  // The page is going away (or hidden): send what is pending in one last request. It starts at
  // the oldest pending record like any other, so it may cross a request under way in any order.
  Recorder.prototype.beacon = function () {
    if (this.stopped || !this.pending.length) return;
    var body = this.body(this.head(Infinity, this.config.maxBeaconBytes));
    var type = "text/plain;charset=UTF-8";
    if (navigator.sendBeacon && navigator.sendBeacon(this.endpoint, new Blob([body], { type: type }))) {
      return;
    }
    fetch(this.endpoint, {
      method: "POST", mode: "cors", credentials: "omit", keepalive: true,
      headers: { "Content-Type": type }, body: body,
    }).catch(function () {
      // the page is leaving: nothing left to do
    });
  };

  Recorder.prototype.status = function () {
    var status = { session: this.session, pending: this.pending.length, stopped: this.stopped };
    for (var key in this.counts) status[key] = this.counts[key];
    return status;
  };

  Recorder.prototype.stop = function () {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    window.removeEventListener("message", this.onMessage);
    window.removeEventListener("pagehide", this.onHide);
    document.removeEventListener("visibilitychange", this.onHide);
  };

  var current = null;

  window.deskstateRecorder = {
    /** Start capturing (again, with a new session): options token (required), desk, endpoint,
     *  origins, and the limits above. Returns true when started; warns and returns false if not. */
    start: function (options) {
      try {
        if (!options || typeof options.token !== "string" || !options.token) {
          warn("start needs the token that deskstate record printed: not started");
          return false;
        }
        if (!options.endpoint && !here) {
          warn("start needs an endpoint when recorder.js is not loaded from the receiver");
          return false;
        }
        if (current) current.stop();
        current = new Recorder(options);
        return true;
      } catch (error) {
        warn("cannot start: " + error);
        return false;
      }
    },
    /** Stop capturing; records not yet acknowledged are not sent. */
    stop: function () {
      try {
        if (current) current.stop();
      } catch (error) {
        warn("cannot stop: " + error);
      }
    },
    /** Counts since start: captured, acknowledged (last record number settled), stored,
     *  duplicates, rejected, dropped, failed (refused whole), retries (sends that failed),
     *  errors (caught inside the recorder), pending, and the session id. */
    status: function () {
      try {
        return current ? current.status() : null;
      } catch (error) {
        warn("cannot tell the status: " + error);
        return null;
      }
    },
  };
})();
