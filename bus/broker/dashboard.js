// The broker dashboard: renders /v1/status every 2 s. What the broker says
// is only ever set as text (textContent), never parsed as markup.
"use strict";

const LATE_S = 300;
const FAILURES = ["rejected", "expired", "malformed_frames", "not_permitted"];

function duration(s) {
  if (s <= 0) return "–";
  if (s < 1) return Math.round(s * 1000) + " ms";
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
    const classes = [a.online ? "online" : "offline",
                     a.queue_depth > 0 ? "queued" : "", late ? "late" : ""];
    return row([
      [a.agency, "agency"],
      [a.name || "", "name"],
      [a.online ? "online" : "offline", "state"],
      [String(a.queue_depth)],
      [duration(a.oldest_undelivered_age_s)],
      [String(a.in_flight)],
      [String(a.credit)],
    ], classes.filter(Boolean).join(" "));
  }));

  chart(s.activity || []);
  const rejections = document.querySelector("#rejections tbody");
  const recent = s.recent_rejections || [];
  rejections.replaceChildren(...(recent.length === 0 ?
    [row([["none since start"], [""], [""], [""], [""]])] :
    recent.map((r) => row([
      [new Date(r.t_unix_ms).toISOString().slice(11, 19)],
      [r.agency, "agency"],
      [r.kind],
      [r.message_id, "agency"],
      [r.reason.replaceAll("_", " "), "bad"],
    ]))));

  const counters = document.querySelector("#counters tbody");
  counters.replaceChildren(...Object.entries(s.counters).map(([name, value]) =>
    row([[name.replaceAll("_", " ")],
         [String(value), FAILURES.includes(name) && value > 0 ? "bad" : ""]])));
}

const SVG = "http://www.w3.org/2000/svg";

function svg(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

// Deliveries per second as bars, mean latency as a line, on their own scales.
function chart(points) {
  const W = 600, H = 120, PAD = 4;
  const box = document.getElementById("activity");
  const picture = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`,
                               role: "img", "aria-label": "deliveries and latency" });
  picture.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#f9fafb" }));
  const rate = Math.max(1e-9, ...points.map((p) => p.delivered_per_s));
  const latency = Math.max(1e-9, ...points.map((p) => p.mean_latency_s));
  const step = (W - 2 * PAD) / 60;
  const x = (i) => W - PAD - (points.length - i) * step;
  points.forEach((p, i) => {
    const h = (H - 2 * PAD) * p.delivered_per_s / rate;
    picture.appendChild(svg("rect", { x: x(i), y: H - PAD - h, width: step * 0.8,
                                      height: h, fill: "#93c5fd", class: "rate" }));
  });
  if (points.length > 1) {
    const line = points.map((p, i) =>
      `${x(i) + step * 0.4},${H - PAD - (H - 2 * PAD) * p.mean_latency_s / latency}`);
    picture.appendChild(svg("polyline", { points: line.join(" "), fill: "none",
                                          stroke: "#b45309", "stroke-width": 2 }));
  }
  box.replaceChildren(picture);
  const last = points[points.length - 1];
  const legend = document.getElementById("activity-legend");
  legend.replaceChildren();
  const swatch = (color, text) => {
    const mark = document.createElement("span");
    mark.className = "swatch";
    mark.style.background = color;
    legend.append(mark, text);
  };
  swatch("#93c5fd", `deliveries/s (peak ${rate < 1e-6 ? 0 : rate.toFixed(1)}` +
         (last ? `, now ${last.delivered_per_s.toFixed(1)})` : ")"));
  swatch("#b45309", `mean latency (peak ${duration(latency < 1e-6 ? 0 : latency)}` +
         (last ? `, now ${duration(last.mean_latency_s)})` : ")"));
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
