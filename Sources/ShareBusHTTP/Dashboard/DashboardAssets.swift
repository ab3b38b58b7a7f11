/// The dashboard's stylesheet and its one small script, served from `/ui/assets/`: kept here as
/// strings so the binary needs no resource bundle and nothing is built.
enum DashboardAssets {
    static let css = #"""
        :root {
          --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #ffffff; --page: #f3f5f8;
          --brand: #1d4f91; --brand-ink: #ffffff;
          --green: #1a7f37; --green-bg: #dafbe1; --yellow: #8a5a00; --yellow-bg: #fff1b8;
          --red: #c21d2a; --red-bg: #ffe3e3; --grey: #59636e; --grey-bg: #eef1f4;
        }
        * { box-sizing: border-box; }
        html { font-size: 15px; }
        body {
          margin: 0; background: var(--page); color: var(--ink);
          font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
            system-ui, -apple-system, "Segoe UI", sans-serif;
          line-height: 1.45;
        }
        header.top {
          background: var(--brand); color: var(--brand-ink); padding: 10px 24px;
          display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap;
        }
        header.top h1 { font-size: 1.25rem; margin: 0; font-weight: 600; }
        header.top .sub { opacity: .85; font-size: .9rem; }
        header.top .spacer { flex: 1; }
        header.top a { color: var(--brand-ink); }
        header.top .lang { border: 1px solid rgba(255,255,255,.6); border-radius: 4px; padding: 2px 10px; text-decoration: none; }
        main { padding: 16px 24px 32px; max-width: 1600px; margin: 0 auto; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 16px; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; border-left-width: 5px; }
        .tile .n { font-size: 1.7rem; font-weight: 600; font-variant-numeric: tabular-nums; }
        .tile .l { color: var(--muted); font-size: .9rem; }
        .tile.ok { border-left-color: var(--green); }
        .tile.warn { border-left-color: #d4a72c; }
        .tile.bad { border-left-color: var(--red); }
        .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
        @media (max-width: 1100px) { .grid { grid-template-columns: 1fr; } }
        section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 16px; overflow: hidden; }
        section.panel h2 { font-size: 1.05rem; margin: 0; padding: 9px 14px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
        section.panel h2 .count { color: var(--muted); font-weight: normal; margin-left: 6px; }
        .empty { padding: 12px 14px; color: var(--muted); }
        .scroll { overflow-x: auto; }
        table { width: 100%; border-collapse: collapse; font-size: .92rem; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eaeef2; vertical-align: middle; white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; font-size: .85rem; background: #fbfcfd; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.wrap { white-space: normal; overflow-wrap: anywhere; min-width: 16em; }
        tr:last-child td { border-bottom: none; }
        code, .mono { font-family: "Noto Sans Mono CJK SC", ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
        .badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: .82rem; font-weight: 600; }
        .state-due, .status-active, .health-ok { color: var(--green); background: var(--green-bg); }
        .state-warning, .health-warning, .status-paused { color: var(--yellow); background: var(--yellow-bg); }
        .state-overdue, .status-suspended, .health-critical { color: var(--red); background: var(--red-bg); }
        .status-revoked, .status-rejected, .status-pending { color: var(--grey); background: var(--grey-bg); }
        tr.row-critical td:first-child { box-shadow: inset 4px 0 0 var(--red); }
        tr.row-warning td:first-child { box-shadow: inset 4px 0 0 #d4a72c; }
        tr.row-ok td:first-child { box-shadow: inset 4px 0 0 var(--green); }
        .bad-num { color: var(--red); font-weight: 600; }
        form.inline { display: inline; margin: 0; }
        button, .button {
          font: inherit; font-size: .85rem; padding: 2px 10px; border-radius: 4px; border: 1px solid #afb8c1;
          background: #f6f8fa; color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block;
        }
        button:hover, .button:hover { background: #eef1f4; }
        button.danger { color: var(--red); border-color: #e5a0a5; }
        button.primary { background: var(--brand); color: #fff; border-color: var(--brand); padding: 6px 18px; font-size: .95rem; }
        button.primary.danger { background: var(--red); border-color: var(--red); color: #fff; }
        .confirm .actions .button { padding: 6px 18px; font-size: .95rem; }
        .notice { padding: 10px 14px; border-radius: 6px; margin-bottom: 12px; border: 1px solid; }
        .notice.ok { background: var(--green-bg); border-color: #8fd19e; }
        .notice.error { background: var(--red-bg); border-color: #f0a8ae; }
        .confirm { max-width: 640px; margin: 40px auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 20px 24px; }
        .confirm h2 { margin-top: 0; }
        .confirm dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }
        .confirm dt { color: var(--muted); }
        .confirm dd { margin: 0; }
        .confirm .actions { display: flex; gap: 12px; align-items: center; margin-top: 18px; }
        footer { color: var(--muted); font-size: .82rem; padding: 0 24px 16px; text-align: center; }
        """#

    /// Refreshes the live part of the page every 5 s without losing the scroll position; without
    /// JavaScript the page's `<noscript>` meta refresh does the same by reloading.
    static let js = #"""
        (function () {
          "use strict";
          var live = document.getElementById("live");
          if (!live) { return; }
          var every = Number(live.getAttribute("data-refresh") || "5") * 1000;
          // The plain dashboard address: a notice about an action just taken is not shown again.
          var url = live.getAttribute("data-refresh-url") || window.location.href;
          function refresh() {
            fetch(url, { credentials: "same-origin", cache: "no-store" })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (text) {
                if (!text) { return; }
                var next = new DOMParser().parseFromString(text, "text/html").getElementById("live");
                if (next) { live.innerHTML = next.innerHTML; }
              })
              .catch(function () {})
              .then(function () { window.setTimeout(refresh, every); });
          }
          window.setTimeout(refresh, every);
        })();
        """#
}
