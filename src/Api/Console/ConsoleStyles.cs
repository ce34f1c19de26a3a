namespace ExternalAction.Api.Console;

/// <summary>The console's one stylesheet, served from <c>/console/console.css</c> (the CSP allows styles from here only).</summary>
internal static class ConsoleStyles
{
    public const string Css = """
        :root { color-scheme: light; --ink: #1d232a; --muted: #5b6672; --line: #d9dee3; --accent: #0b5cad; --bad: #b3261e; --warn: #8a5a00; --ok: #1e6b35; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #14212e; color: #fff; }
        header a { color: #fff; text-decoration: none; } header a:hover { text-decoration: underline; }
        header .who { margin-left: auto; color: #c9d3dc; }
        header form { display: inline; }
        header button { background: none; border: 1px solid #6c7a88; color: #fff; border-radius: 4px; padding: .15rem .6rem; cursor: pointer; }
        main { padding: 1rem 1.2rem; max-width: 1400px; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; } h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
        pre { background: #fff; border: 1px solid var(--line); padding: .6rem; overflow: auto; max-height: 28rem; white-space: pre-wrap; word-break: break-all; }
        form.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .5rem .8rem; background: #fff; padding: .8rem; border: 1px solid var(--line); }
        label { display: flex; flex-direction: column; gap: .15rem; color: var(--muted); font-size: 12.5px; }
        input, select, textarea { font: inherit; padding: .3rem .4rem; border: 1px solid #aab4be; border-radius: 4px; color: var(--ink); }
        textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; width: 100%; box-sizing: border-box; }
        label.block { margin-bottom: .6rem; }
        article.step { background: #fff; border: 1px solid var(--line); padding: .2rem .8rem .6rem; margin-bottom: .8rem; }
        button.primary { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: .4rem .9rem; cursor: pointer; }
        button.danger { background: var(--bad); color: #fff; border: 0; border-radius: 4px; padding: .4rem .9rem; cursor: pointer; }
        .actions { display: flex; gap: .6rem; align-items: end; }
        .counts { display: flex; flex-wrap: wrap; gap: .4rem; margin: .8rem 0; }
        .counts a, .counts span { background: #fff; border: 1px solid var(--line); border-radius: 999px; padding: .1rem .7rem; text-decoration: none; color: var(--ink); }
        .status { font-weight: 600; }
        .status-Failed, .status-TimedOut, .bad { color: var(--bad); }
        .status-RetryScheduled, .status-CallbackUnconfirmed, .warn { color: var(--warn); }
        .status-CallbackSent, .status-Completed, .ok { color: var(--ok); }
        .notice { background: #fff; border-left: 4px solid var(--accent); padding: .6rem .8rem; margin: .8rem 0; }
        .notice.bad { border-color: var(--bad); } .notice.ok { border-color: var(--ok); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; padding: .8rem; border: 1px solid var(--line); margin: 0; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
        .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
        .muted { color: var(--muted); }
        .signin { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 1.4rem; border: 1px solid var(--line); }
        .signin form { display: flex; flex-direction: column; gap: .8rem; }
        svg.chart { background: #fff; border: 1px solid var(--line); width: 100%; height: auto; }
        .legend { display: flex; flex-wrap: wrap; gap: .8rem; font-size: 12.5px; }
        .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; margin-right: .25rem; }
        .c0 { background: #1e6b35; } .c1 { background: #b3261e; } .c2 { background: #8a5a00; } .c3 { background: #0b5cad; } .c4 { background: #6a3d9a; } .c5 { background: #5b6672; } .c6 { background: #d0661b; } .c7 { background: #138d90; }
        """;
}
