/// The web monitor's one page: HTML and CSS here, the script in `MonitorPage+Script.swift`.
/// Nothing is loaded from elsewhere (no CDN): the page works on an air-gapped network.
enum MonitorPage {
    static var html: String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>SingleWindowHub monitor</title>
        <style>\(css)</style>
        </head>
        <body data-updates="0">
        <header>
          <h1>SingleWindowHub <span class="sub">monitor</span></h1>
          <div class="facts"><span id="live" class="off">connecting…</span>
            <span>journal head <b id="head">–</b></span><span>updated <b id="taken">–</b></span>
            <a href="statistics" style="color: #90cdf4">trade statistics</a></div>
          <form id="search" autocomplete="off"><input id="q" name="id" placeholder="trace a filing or message by id" size="34">
            <button type="submit">Trace</button></form>
        </header>
        <main>
          <section class="wide">
            <h2>Parties</h2>
            <table id="parties"><thead><tr><th>party</th><th>roles</th><th>connection</th><th class="n">backlog</th>
              <th class="n">in/s</th><th class="n">out/s</th><th class="n">in</th><th class="n">out</th><th class="n">acked</th></tr></thead>
              <tbody></tbody></table>
          </section>
          <section>
            <h2>Flows between parties, last <span id="window">minute</span></h2>
            <svg id="diagram" viewBox="0 0 640 460" role="img" aria-label="messages between parties in the last minute">
              <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6b7f"></path></marker></defs>
              <g id="edges"></g><g id="nodes"></g></svg>
            <table id="edge-table"><thead><tr><th>from</th><th>to</th><th class="n">messages</th><th>types</th></tr></thead><tbody></tbody></table>
          </section>
          <section>
            <h2>Flow states</h2>
            <table id="flow-states"><thead><tr><th>kind</th><th>state</th><th class="n">flows</th></tr></thead><tbody></tbody></table>
            <h2>Recent registrations</h2>
            <table id="registrations" class="filings"><thead><tr><th>id</th><th>filer</th><th>state</th><th>departments</th></tr></thead><tbody></tbody></table>
            <h2>Recent declarations</h2>
            <table id="declarations" class="filings"><thead><tr><th>id</th><th>filer</th><th>state</th><th>departments</th></tr></thead><tbody></tbody></table>
          </section>
          <section id="trace-section" class="wide" hidden>
            <h2>Trace of <code id="trace-id"></code> <a href="#" id="trace-close">close</a></h2>
            <div id="trace"></div>
          </section>
        </main>
        <script>\(script)</script>
        </body>
        </html>
        """
    }

    static let css = """
        :root { --ink: #1d2733; --muted: #5b6b7f; --line: #d8dee6; --ok: #1f8a4c; --warn: #b7791f; --bad: #c0392b; --dept: #2b6cb0; --ent: #6b46c1; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: var(--ink); background: #f4f6f9; }
        header { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: center; padding: 10px 20px; background: #14202e; color: #fff; }
        header h1 { font-size: 18px; margin: 0; } header .sub { font-weight: 400; opacity: .7; }
        .facts { display: flex; gap: 18px; font-size: 13px; opacity: .9; }
        #live.on::before { content: "●"; color: #48bb78; margin-right: 4px; } #live.off::before { content: "●"; color: #e53e3e; margin-right: 4px; }
        #search { margin-left: auto; display: flex; gap: 6px; } #search input { padding: 5px 8px; border-radius: 4px; border: 0; }
        #search button { padding: 5px 12px; border: 0; border-radius: 4px; background: #3182ce; color: #fff; cursor: pointer; }
        main { display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 16px; padding: 16px 20px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 0; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 14px; margin: 6px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 10px; }
        th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; } .n { text-align: right; font-variant-numeric: tabular-nums; }
        .state { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 9px; font-size: 12px; color: #fff; background: var(--muted); }
        .state.accepted, .state.connected { background: var(--ok); } .state.pending, .state.partially_accepted, .state.idle, .state.waiting, .state.held { background: var(--warn); }
        .state.refused, .state.expired, .state.incomplete, .state.withdrawn, .state.offline { background: var(--bad); }
        .filings td:first-child { max-width: 16em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        a { color: #2b6cb0; } code { font-size: 12px; }
        svg { width: 100%; height: auto; background: #fbfcfd; border: 1px solid var(--line); border-radius: 4px; }
        .node circle { stroke: #fff; stroke-width: 2; } .node.department circle { fill: var(--dept); } .node.enterprise circle { fill: var(--ent); }
        .node.hub circle { fill: #2d3748; } .node.offline circle { opacity: .45; }
        .node text { font-size: 12px; text-anchor: middle; fill: var(--ink); font-weight: 600; }
        .edge path { fill: none; stroke: #8796a8; stroke-opacity: .75; }
        .edge text { font-size: 11px; fill: #2d3748; text-anchor: middle; paint-order: stroke; stroke: #fbfcfd; stroke-width: 3px; }
        #trace dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
        #trace dt { color: var(--muted); } #trace dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
        #trace .error { color: var(--bad); }
        """
}
