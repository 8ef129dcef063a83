// The broker dashboard: renders /v1/status every 2 s. What the broker says
// is only ever set as text (textContent), never parsed as markup.
"use strict";

const LATE_S = 300;
const FAILURES = ["rejected", "expired", "malformed_frames", "not_permitted"];

function duration(s) {
  if (s <= 0) return "–";
  if (s < 60) return Math.round(s) + " s";
  if (s < 3600) return Math.round(s / 60) + " min";
  if (s < 86400) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}

function row(cells, className) {
  const tr = document.createElement("tr");
  if (className) tr.className = className;
  for (const [text, cellClass] of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cellClass) td.className = cellClass;
    tr.appendChild(td);
  }
  return tr;
}

function render(s) {
  document.getElementById("origin").textContent =
    `— ${s.log_origin} · ${s.role}` + (s.role === "active" ? ` (epoch ${s.epoch})` : "");
  document.getElementById("role").textContent = s.role === "standby" ?
    `This broker is a standby: it serves no agency until it takes over. ` +
    `The active broker is ${s.active_broker || "unknown"}; its dashboard has the figures.` : "";
  document.getElementById("summary").textContent =
    `up ${duration(s.uptime_s)} · ${s.agencies_online.length} ` +
    `${s.agencies_online.length === 1 ? "agency" : "agencies"} online · ` +
    `${s.queue_depth} queued · oldest undelivered ${duration(s.oldest_undelivered_age_s)} · ` +
    `audit log ${s.audit_log_size} entries (checkpoint at ${s.checkpoint_size})`;

  const agencies = document.querySelector("#agencies tbody");
  agencies.replaceChildren(...s.agencies.map((a) => {
    const late = a.queue_depth > 0 && a.oldest_undelivered_age_s > LATE_S;
    const classes = [a.online ? "online" : "offline", late ? "late" : ""];
    return row([
      [a.agency, "agency"],
      [a.online ? "online" : "offline", "state"],
      [String(a.queue_depth)],
      [duration(a.oldest_undelivered_age_s)],
      [String(a.in_flight)],
      [String(a.credit)],
    ], classes.join(" ").trim());
  }));

  const counters = document.querySelector("#counters tbody");
  counters.replaceChildren(...Object.entries(s.counters).map(([name, value]) =>
    row([[name.replaceAll("_", " ")],
         [String(value), FAILURES.includes(name) && value > 0 ? "bad" : ""]])));
}

function warn(text) {
  const stale = document.getElementById("stale");
  stale.textContent = text;
  stale.style.display = text ? "block" : "none";
}

async function refresh() {
  try {
    const answer = await fetch("/v1/status", { cache: "no-store" });
    if (!answer.ok) throw new Error("HTTP " + answer.status);
    const status = await answer.json();
    render(status);
    // The broker loop takes the snapshot about once a second.
    const age_s = (Date.now() - status.taken_unix_ms) / 1000;
    warn(age_s > 10 ? `The broker has not refreshed its status for ${duration(age_s)}: ` +
      "its loop may be stuck (see /healthz and its log)." : "");
  } catch (e) {
    warn("The broker's status cannot be read (" + e.message +
      "): the figures below are from the last answer.");
  }
}

document.getElementById('late-after').textContent = duration(LATE_S);
refresh();
setInterval(refresh, 2000);
