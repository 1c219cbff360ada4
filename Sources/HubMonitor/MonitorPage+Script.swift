extension MonitorPage {
    /// The page's script: renders `/api/snapshot` at once, then every `snapshot` event of
    /// `/events` (EventSource, no reload; `?events=N` stops after N); `#trace=ID` (a link or
    /// the search box) shows the trace from `/api/trace/ID`.
    static let script = #"""
        "use strict";
        const $ = (id) => document.getElementById(id);
        const DEPARTMENTS = ["customs", "tax", "forex", "post", "bank"];
        let latest = null;

        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
          }
          for (const child of children) node.append(child);
          return node;
        }
        function svg(tag, attrs, text) {
          const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
          if (text !== undefined) node.textContent = text;
          return node;
        }
        function fill(tbody, rows) { tbody.replaceChildren(...rows); }
        const rate = (x) => x >= 10 ? x.toFixed(0) : x.toFixed(1);
        const kindOf = (p) => p.roles.includes("hub") ? "hub" : (p.roles.some((r) => DEPARTMENTS.includes(r)) ? "department" : "enterprise");
        const traceLink = (id) => el("a", { href: "#trace=" + encodeURIComponent(id), title: id, class: "trace-link", text: id });

        function renderParties(s) {
          fill($("parties").tBodies[0], s.parties.map((p) => {
            const hub = kindOf(p) === "hub";
            const state = p.receiving || hub ? "connected" : (p.connected ? "idle" : "offline");
            const label = hub ? "the hub's flows" : (p.receiving ? "receiving" : (p.connected ? "connected" : "not connected"));
            return el("tr", { "data-party": p.id, "data-connected": String(p.connected) },
              el("td", {}, el("b", { text: p.id })), el("td", { text: p.roles.join(", ") }),
              el("td", {}, el("span", { class: "state " + state, text: label })),
              el("td", { class: "n", text: String(p.backlog) }), el("td", { class: "n", text: rate(p.rateIn) }),
              el("td", { class: "n", text: rate(p.rateOut) }), el("td", { class: "n", text: String(p.totalIn) }),
              el("td", { class: "n", text: String(p.totalOut) }), el("td", { class: "n", text: String(p.ackedSeq) }));
          }));
        }

        function layout(parties) {
          const W = 640, H = 460, cx = W / 2, cy = H / 2, r = 175;
          const ring = parties.filter((p) => kindOf(p) !== "hub");
          ring.sort((a, b) => (kindOf(a) === kindOf(b) ? 0 : kindOf(a) === "department" ? -1 : 1));
          const at = {};
          ring.forEach((p, i) => {
            const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(ring.length, 1);
            at[p.id] = { x: cx + r * 1.35 * Math.cos(angle), y: cy + r * Math.sin(angle) };
          });
          for (const p of parties) if (kindOf(p) === "hub") at[p.id] = { x: cx, y: cy };
          return at;
        }

        function renderDiagram(s) {
          const at = layout(s.parties);
          const max = Math.max(1, ...s.edges.map((e) => e.count));
          const edges = [];
          for (const e of s.edges) {
            const a = at[e.from], b = at[e.to];
            if (!a || !b || e.from === e.to) continue;
            const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
            const ux = dx / len, uy = dy / len, pad = 22;
            const x1 = a.x + ux * pad, y1 = a.y + uy * pad, x2 = b.x - ux * pad, y2 = b.y - uy * pad;
            // Bend to the right of the direction so A→B and B→A do not overlap.
            const mx = (x1 + x2) / 2 - uy * 24, my = (y1 + y2) / 2 + ux * 24;
            // The count sits just outside its curve's middle, on the same side.
            const lx = (x1 + 2 * mx + x2) / 4 - uy * 14, ly = (y1 + 2 * my + y2) / 4 + ux * 14;
            const width = 1 + 5 * Math.log(1 + e.count) / Math.log(1 + max);
            const title = svg("title", {}, e.from + " → " + e.to + ": " + e.count + " (" + Object.entries(e.types).map(([t, n]) => t + " " + n).join(", ") + ")");
            const g = svg("g", { class: "edge", "data-from": e.from, "data-to": e.to, "data-count": e.count });
            g.append(title, svg("path", { d: `M ${x1} ${y1} Q ${mx} ${my} ${x2} ${y2}`, "stroke-width": width.toFixed(1), "marker-end": "url(#arrow)" }),
              svg("text", { x: lx, y: ly + 4 }, String(e.count)));
            edges.push(g);
          }
          $("edges").replaceChildren(...edges);
          $("nodes").replaceChildren(...s.parties.filter((p) => at[p.id]).map((p) => {
            const { x, y } = at[p.id];
            const g = svg("g", { class: "node " + kindOf(p) + (p.connected ? "" : " offline"), "data-party": p.id });
            g.append(svg("title", {}, p.id + " (" + p.roles.join(", ") + ")"), svg("circle", { cx: x, cy: y, r: kindOf(p) === "hub" ? 20 : 16 }),
              svg("text", { x, y: y + (y < 230 ? -24 : 34) }, p.id));
            return g;
          }));
          $("window").textContent = s.windowSeconds >= 60 ? "minute" : s.windowSeconds + " s";
          fill($("edge-table").tBodies[0], s.edges.slice(0, 12).map((e) => el("tr", { class: "edge-row" },
            el("td", { text: e.from }), el("td", { text: e.to }), el("td", { class: "n", text: String(e.count) }),
            el("td", { text: Object.entries(e.types).sort((a, b) => b[1] - a[1]).map(([t, n]) => t + " " + n).join(", ") }))));
        }

        function renderFilings(table, list) {
          fill($(table).tBodies[0], list.map((f) => el("tr", { "data-id": f.id, "data-state": f.state },
            el("td", {}, traceLink(f.id)), el("td", { text: f.filer }),
            el("td", {}, el("span", { class: "state " + f.state, text: f.state + (f.final ? "" : " …") })),
            el("td", { text: Object.entries(f.departments).map(([d, st]) => d + ": " + st).join(", ") + (f.reasons.length ? " — " + f.reasons[0] : "") }))));
        }

        function render(s) {
          latest = s;
          $("head").textContent = String(s.headSeq);
          $("taken").textContent = s.takenAtUs ? new Date(s.takenAtUs / 1000).toLocaleTimeString() : "–";
          renderParties(s);
          renderDiagram(s);
          fill($("flow-states").tBodies[0], s.flows.map((f) => el("tr", {}, el("td", { text: f.kind }),
            el("td", {}, el("span", { class: "state " + f.state, text: f.state })), el("td", { class: "n", text: String(f.count) }))));
          renderFilings("registrations", s.registrations);
          renderFilings("declarations", s.declarations);
          document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
        }

        // A TraceReport: what the id is, then every event of every message in time order.
        function renderTrace(report) {
          const time = (us) => us === null || us === undefined ? "–" : new Date(us / 1000).toISOString().replace("T", " ").replace("Z", "");
          const verb = { received: "received from", journaled: "journaled, sent by", delivered: "delivered to", acknowledged: "acknowledged by",
            not_delivered: "not delivered to", not_acknowledged: "not acknowledged by" };
          const summary = el("p", { class: "trace-summary", text: report.subject + " · " + report.messages.length + " message(s) · " + report.events.length + " event(s)" });
          const rows = report.events.map((e) => el("tr", { class: "event " + e.kind },
            el("td", { text: time(e.at_us) }), el("td", { text: verb[e.kind] || e.kind }), el("td", { text: e.party }),
            el("td", { class: "n", text: String(e.seq) }), el("td", { text: e.type }), el("td", { text: e.message_id }), el("td", { text: e.role })));
          return el("div", {}, summary, el("table", { class: "trace-events" },
            el("thead", {}, el("tr", {}, ...["time (UTC)", "event", "party", "seq", "type", "message id", "role"].map((k) => el("th", { text: k })))),
            el("tbody", {}, ...rows)));
        }

        async function showTrace() {
          const m = location.hash.match(/^#trace=(.+)$/);
          if (!m) { $("trace-section").hidden = true; return; }
          const id = decodeURIComponent(m[1]);
          $("trace-section").hidden = false;
          $("trace-id").textContent = id;
          $("q").value = id;
          $("trace").replaceChildren(el("p", { text: "loading…" }));
          try {
            const response = await fetch("/api/trace/" + encodeURIComponent(id));
            const body = await response.json();
            $("trace").replaceChildren(response.ok ? renderTrace(body) : el("p", { class: "error", text: body.error || response.statusText }));
            $("trace").dataset.loaded = response.ok ? "yes" : "error";
          } catch (error) {
            $("trace").replaceChildren(el("p", { class: "error", text: String(error) }));
          }
        }

        $("search").addEventListener("submit", (event) => {
          event.preventDefault();
          const id = $("q").value.trim();
          if (id) location.hash = "trace=" + encodeURIComponent(id);
        });
        $("trace-close").addEventListener("click", (event) => { event.preventDefault(); history.replaceState(null, "", location.pathname); showTrace(); });
        window.addEventListener("hashchange", showTrace);

        fetch("/api/snapshot").then((r) => r.json()).then(render).catch(() => {});
        const limit = new URLSearchParams(location.search).get("events");
        const events = new EventSource("/events" + (limit ? "?max=" + encodeURIComponent(limit) : ""));
        events.addEventListener("snapshot", (event) => render(JSON.parse(event.data)));
        events.addEventListener("end", () => { events.close(); $("live").textContent = "paused"; $("live").className = "off"; });
        events.onopen = () => { $("live").textContent = "live"; $("live").className = "on"; };
        events.onerror = () => { $("live").textContent = "reconnecting…"; $("live").className = "off"; };
        showTrace();
        """#
}
