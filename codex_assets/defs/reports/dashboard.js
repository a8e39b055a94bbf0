// The Codex analytics dashboard: draws every view from the data inlined in #dashboard-data
// (codex_assets/defs/reports/dashboard_data.py) and redraws them all when the date range,
// the daily/weekly switch, a sort or a filter changes. No network: uPlot is inlined before.
(async function () {
  "use strict";
  const D = await load(document.getElementById("dashboard-data").textContent.trim());
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
  const pct = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
  const num = (v) => (v === null || v === undefined ? "n/a" : fmt.format(v));
  const COLOURS = ["#111827", "#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#6b7280",
    "#db2777", "#ca8a04", "#4f46e5", "#059669", "#dc2626"];
  const SURFACE_NAMES = { all: "All", cli: "CLI", ide: "IDE extension", cloud: "Cloud",
    desktop: "Desktop", code_review: "Code Review", other: "Other" };
  const RANK_COLUMNS = [["credits", "Credits"], ["threads", "Threads"], ["turns", "Turns"],
    ["tokens", "Text tokens"], ["streak", "Current streak (days)"]];
  const state = { from: null, to: null, grain: "day", sort: "credits", surface: "all",
    team: "", measure: "credits", breakdown: "surface", activity: "threads" };
  const charts = {};
  const api = { state, charts, views: {} };
  window.codexDashboard = api;

  // The data is gzip-compressed JSON in base64 (page.py): inflate it with the browser's own
  // DecompressionStream, no library.
  async function load(b64) {
    const response = await fetch("data:application/gzip;base64," + b64);
    const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
    const data = JSON.parse(await new Response(stream).text());
    performance.mark("dashboard-data");
    return data;
  }

  if (!D.days.length) {
    document.querySelector("main").innerHTML =
      "<p>No data loaded yet: run a backfill first (codex-assets demo).</p>";
    performance.mark("dashboard-drawn");
    return;
  }
  const dayIndex = new Map(D.days.map((d, i) => [d, i]));
  const weekOf = (iso) => {
    const t = Date.parse(iso + "T00:00:00Z");
    const wd = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
    return new Date(t - wd * 86400000).toISOString().slice(0, 10);
  };
  const weekIndex = new Map(D.weeks.map((w, i) => [w, i]));
  const dayWeek = D.days.map((d) => weekIndex.get(weekOf(d)));
  const ts = (iso) => Date.parse(iso + "T00:00:00Z") / 1000;
  // The ranking's rows: users sent as steps (du), periods by day or, for a large workspace,
  // by ISO week (dashboard_data.USER_ROW_BUDGET).
  const U = D.user_rows;
  U.u = new Int32Array(U.du.length);
  for (let r = 0, u = 0; r < U.du.length; r++) { u += U.du[r]; U.u[r] = u; }
  const userGrain = U.grain;
  // Which rows a selection covers: its days, or the weeks those days are in.
  function rowPeriods(sel) {
    const size = userGrain === "day" ? D.days.length : D.weeks.length;
    const inside = new Uint8Array(size);
    sel.days.forEach((i) => { inside[userGrain === "day" ? i : dayWeek[i]] = 1; });
    return inside;
  }

  // -- the selection: which periods are drawn and which days are summed --------------------
  function selection() {
    const days = [];
    D.days.forEach((d, i) => { if (d >= state.from && d <= state.to) days.push(i); });
    if (state.grain === "day") return { periods: days, days, axis: D.days };
    const weeks = [...new Set(days.map((i) => dayWeek[i]))].sort((a, b) => a - b);
    const inWeeks = new Set(weeks);
    const all = D.days.map((_, i) => i).filter((i) => inWeeks.has(dayWeek[i]));
    return { periods: weeks, days: all, axis: D.weeks };
  }

  function pick(series, measure, periods) {
    return periods.map((p) => (series && series[measure][p] !== undefined ? series[measure][p] : null));
  }
  function total(values) {
    let sum = 0;
    for (const v of values) { if (v === null) return null; sum += v; }
    return Math.round(sum * 1e6) / 1e6;
  }

  // -- charts -------------------------------------------------------------------------------
  function drawChart(id, title, sel, lines) {
    const el = $(id);
    const width = chartWidth;
    const x = sel.periods.map((p) => ts(sel.axis[p]));
    const opts = {
      title, width, height: 240,
      tzDate: (t) => uPlot.tzDate(new Date(t * 1e3), "Etc/UTC"),
      scales: { x: { time: true } },
      axes: [{ values: state.grain === "week" ? "{YYYY}-{MM}-{DD}" : [[86400 * 28, "{YYYY}-{MM}-{DD}", null, null, null, null, null, null, 1], [86400, "{MM}-{DD}", "\n{YYYY}", null, null, null, null, null, 1]] },
        { values: (u, vals) => vals.map((v) => fmt.format(v)), size: 60 }],
      series: [{ value: state.grain === "week" ? "week of {YYYY}-{MM}-{DD}" : "{YYYY}-{MM}-{DD}" },
        ...lines.map((l, i) => ({ label: l.label, stroke: l.colour || COLOURS[i % COLOURS.length],
          width: 1.6, value: (u, v) => num(v), points: { show: x.length < 60 } }))],
      legend: { live: true },
      plugins: [tooltip()],
    };
    const data = [x, ...lines.map((l) => l.values)];
    if (charts[id]) charts[id].destroy();
    el.textContent = "";
    charts[id] = new uPlot(opts, data, el);
    api.views[id] = { x: sel.periods.map((p) => sel.axis[p]), series: Object.fromEntries(lines.map((l) => [l.key || l.label, l.values])) };
  }

  // A tooltip beside the cursor: the period and each series' value there (the legend below
  // the chart shows the same, for keyboard and touch users).
  function tooltip() {
    let tip;
    return { hooks: {
      init: (u) => { tip = document.createElement("div"); tip.className = "tip"; u.over.appendChild(tip); },
      setCursor: (u) => {
        const { left, top, idx } = u.cursor;
        if (idx === null || idx === undefined || left < 0) { tip.style.display = "none"; return; }
        const when = new Date(u.data[0][idx] * 1000).toISOString().slice(0, 10);
        const rows = u.series.slice(1).map((s, i) => `<div><i style="background:${s.stroke()}"></i>${esc(s.label)}: <b>${num(u.data[i + 1][idx])}</b></div>`);
        const w = weekIndex.get(when);
        const partial = state.grain === "week" && D.week_partial[w] ? ` (partial: ${D.week_days_loaded[w]} of 7 days loaded)` : "";
        tip.innerHTML = `<div>${state.grain === "week" ? "week of " : ""}${when}${partial}</div>${rows.join("")}`;
        tip.style.display = "block";
        tip.style.left = Math.min(left + 12, u.over.clientWidth - tip.offsetWidth) + "px";
        tip.style.top = Math.max(0, top - tip.offsetHeight - 8) + "px";
      },
    } };
  }

  function grainSeries(name) { return D[name][state.grain]; }

  function surfaceLines(measure, sel) {
    const series = grainSeries("usage");
    return D.surfaces.filter((s) => series[s]).map((s, i) => ({ key: s, label: SURFACE_NAMES[s] || s,
      colour: COLOURS[i], values: pick(series[s], measure, sel.periods) }));
  }

  function topKeys(series, measure, sel, n) {
    const sums = Object.keys(series).map((k) => [k, pick(series[k], measure, sel.periods).reduce((a, v) => a + (v || 0), 0)]);
    sums.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return sums.slice(0, n).map((s) => s[0]);
  }

  // -- numbers over the selected days ---------------------------------------------------------
  function rankingRows(sel) {
    const inDays = rowPeriods(sel);
    const surface = D.surfaces.indexOf(state.surface);
    const n = D.users.label.length;
    const acc = { threads: new Float64Array(n), turns: new Float64Array(n), credits: new Float64Array(n),
      tokens: new Float64Array(n), tokensKnown: new Uint8Array(n), seen: new Uint8Array(n) };
    for (let r = 0; r < U.u.length; r++) {
      if (U.s[r] !== surface || !inDays[U.p[r]]) continue;
      const u = U.u[r];
      acc.seen[u] = 1;
      acc.threads[u] += U.threads[r]; acc.turns[u] += U.turns[r]; acc.credits[u] += U.credits[r] || 0;
      if (U.tokens[r] !== null) { acc.tokens[u] += U.tokens[r]; acc.tokensKnown[u] = 1; }
    }
    const rows = [];
    for (let u = 0; u < n; u++) {
      if (!acc.seen[u]) continue;
      if (state.team && D.users.team[u] !== state.team) continue;
      rows.push({ user: D.users.label[u], team: D.users.team[u], cost_centre: D.users.cost_centre[u],
        threads: acc.threads[u], turns: acc.turns[u], credits: Math.round(acc.credits[u] * 100) / 100,
        tokens: acc.tokensKnown[u] ? acc.tokens[u] : null, streak: D.users.streak[u], cohort: D.users.cohort[u] });
    }
    const key = state.sort;
    rows.sort((a, b) => (b[key] ?? -1) - (a[key] ?? -1) || (a.user < b.user ? -1 : 1));
    return rows;
  }

  function setText(key, value) {
    const el = document.querySelector(`[data-k="${key}"]`);
    if (el) el.textContent = value;
  }

  function drawCards(sel, users) {
    const all = D.usage.day.all;
    const sum = (m) => total(sel.days.map((i) => all[m][i] ?? 0));
    const cost = total(sel.days.map((i) => all.cost_usd[i]));
    setText("cards.active_users", fmt.format(users));
    setText("cards.threads", fmt.format(sum("threads")));
    setText("cards.turns", fmt.format(sum("turns")));
    setText("cards.credits", fmt.format(sum("credits")));
    setText("cards.cost_usd", cost === null ? "unknown" : "$" + fmt.format(cost));
    setText("cards.days", `${sel.days.length} days, ${D.days[sel.days[0]] || "-"} to ${D.days[sel.days[sel.days.length - 1]] || "-"}`);
  }

  function drawRanking(sel) {
    const rows = rankingRows(sel);
    const shown = rows.slice(0, 50);
    const body = shown.map((r, i) => `<tr><td>${i + 1}</td><td>${esc(r.user)}</td><td>${esc(r.team || "")}</td>` +
      RANK_COLUMNS.map(([k]) => `<td class="n">${num(r[k])}</td>`).join("") + `<td>${esc(r.cohort)}</td></tr>`).join("");
    $("ranking-body").innerHTML = body || `<tr><td colspan="9">No activity in this range for this filter.</td></tr>`;
    setText("ranking.count", `${fmt.format(rows.length)} users active in the range${rows.length > 50 ? " (top 50 shown)" : ""}` +
      (userGrain === "week" ? "; sums over the whole ISO weeks the range touches (per-user data is weekly for a workspace this size)" : ""));
    document.querySelectorAll("#ranking th[data-sort]").forEach((th) => {
      th.classList.toggle("sorted", th.dataset.sort === state.sort);
    });
    api.views.ranking = rows;
    return rows;
  }

  function distinctActive(sel) {
    const inDays = rowPeriods(sel);
    const seen = new Set();
    for (let r = 0; r < U.u.length; r++) if (U.s[r] === 0 && inDays[U.p[r]]) seen.add(U.u[r]);
    return seen.size;
  }

  function drawReview(sel) {
    const series = grainSeries("review").all;
    if (!series) return;
    drawChart("chart-review", "Pull requests reviewed and comments", sel, [
      { key: "pull_request_reviews", label: "PRs reviewed", values: pick(series, "pull_request_reviews", sel.periods) },
      { key: "comments", label: "Comments", values: pick(series, "comments", sel.periods) },
      { key: "replies", label: "Replies", values: pick(series, "replies", sel.periods) },
      { key: "reactions", label: "Reactions", values: pick(series, "reactions", sel.periods) }]);
    drawChart("chart-priority", "Issues found by priority", sel, ["p0", "p1", "p2"].map((p, i) => ({
      key: p, label: p.toUpperCase(), colour: ["#dc2626", "#f59e0b", "#3b82f6"][i], values: pick(series, p, sel.periods) })));
    drawChart("chart-sentiment", "Feedback: engagement rate and net sentiment", sel, [
      { key: "engagement_rate", label: "Engagement rate", values: pick(series, "engagement_rate", sel.periods) },
      { key: "net_sentiment", label: "Net sentiment", values: pick(series, "net_sentiment", sel.periods) }]);
    const day = D.review.day.all;
    const s = (m) => sel.days.reduce((a, i) => a + (day[m][i] || 0), 0);
    const ratio = (a, b) => (b ? a / b : null);
    const totals = { pull_request_reviews: s("pull_request_reviews"), comments: s("comments"), p0: s("p0"), p1: s("p1"),
      p2: s("p2"), replies: s("replies"), reactions: s("reactions"), upvotes: s("upvotes"), downvotes: s("downvotes"),
      other_reactions: s("other_reactions") };
    totals.engagement_rate = ratio(s("engaged_comments"), s("merged_comments"));
    totals.net_sentiment = ratio(totals.upvotes - totals.downvotes, totals.upvotes + totals.downvotes);
    for (const [k, v] of Object.entries(totals)) {
      setText("review." + k, k === "engagement_rate" ? (v === null ? "n/a" : pct.format(v)) : k === "net_sentiment" ? (v === null ? "n/a" : v.toFixed(2)) : fmt.format(v));
    }
    api.views.review = totals;
  }

  function drawGroups(sel) {
    // Teams and cost centres (from the directory), over the selected days: "all" rows only.
    const inDays = rowPeriods(sel);
    const groups = { team: new Map(), cost_centre: new Map() };
    for (let r = 0; r < U.u.length; r++) {
      if (U.s[r] !== 0 || !inDays[U.p[r]]) continue;
      for (const g of ["team", "cost_centre"]) {
        const name = D.users[g][U.u[r]];
        if (!name) continue;
        const e = groups[g].get(name) || { users: new Set(), credits: 0, threads: 0 };
        e.users.add(U.u[r]); e.credits += U.credits[r] || 0; e.threads += U.threads[r];
        groups[g].set(name, e);
      }
    }
    const configured = D.users.team.some((t) => t && t !== "unassigned");
    const rows = [];
    for (const g of ["team", "cost_centre"]) {
      for (const [name, e] of [...groups[g]].sort((a, b) => b[1].credits - a[1].credits)) {
        rows.push(`<tr><td>${g === "team" ? "Team" : "Cost centre"}</td><td>${esc(name)}</td><td class="n">${fmt.format(e.users.size)}</td><td class="n">${fmt.format(e.threads)}</td><td class="n">${fmt.format(Math.round(e.credits * 100) / 100)}</td></tr>`);
      }
    }
    $("teams-body").innerHTML = configured ? rows.join("") :
      `<tr><td colspan="5">No directory configured: set CODEX_DIRECTORY_CSV (user_id or email, team, cost_centre) to see teams and cost centres.</td></tr>`;
  }

  function drawCohorts(sel) {
    const counts = { heavy: 0, moderate: 0, light: 0, inactive: 0 };
    D.users.cohort.forEach((c) => { counts[c] = (counts[c] || 0) + 1; });
    for (const [k, v] of Object.entries(counts)) setText("cohort." + k, fmt.format(v));
    drawChart("chart-new-users", "New users (first active day in the period)", sel, surfaceLines("new_users", sel).slice(0, 1));
  }

  function drawCompliance(sel) {
    const from = D.days[sel.days[0]], to = D.days[sel.days[sel.days.length - 1]];
    const tokens = D.access_tokens;
    if (!tokens) {
      $("tokens-panel").innerHTML = "<p class='na'>Access token usage: not available (the Compliance API is not configured, so marts.access_token_events was not built).</p>";
    } else {
      let created = 0, revoked = 0;
      tokens.day.forEach((d, i) => { if (d >= from && d <= to) { created += tokens.created[i]; revoked += tokens.revoked[i]; } });
      setText("tokens.created", fmt.format(created)); setText("tokens.revoked", fmt.format(revoked));
    }
    const agents = D.agents;
    if (!agents) {
      $("agents-panel").innerHTML = "<p class='na'>Agent identity usage: not available (the Compliance API is not configured, so marts.compliance_agent_activity_daily was not built).</p>";
    } else {
      const by = new Map();
      agents.day.forEach((d, i) => { if (d >= from && d <= to) by.set(agents.agent[i], (by.get(agents.agent[i]) || 0) + agents.events[i]); });
      const rows = [...by].sort((a, b) => b[1] - a[1]).slice(0, 20);
      $("agents-body").innerHTML = rows.map(([a, e]) => `<tr><td>${esc(a)}</td><td class="n">${fmt.format(e)}</td></tr>`).join("") ||
        "<tr><td colspan='2'>No event in this range was attributed to an agent.</td></tr>";
    }
  }

  function esc(s) {
    return String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  // Every chart spans its section, so one width, read before anything is drawn: reading it per
  // chart after the previous one was drawn would make the browser lay the page out again each time.
  let chartWidth = 600;
  function redraw() {
    chartWidth = Math.max(280, $("chart-active").clientWidth || 600);
    const sel = selection();
    api.selection = sel;
    drawCards(sel, distinctActive(sel));
    drawChart("chart-active", "Active users by product surface", sel, surfaceLines("active_users", sel));
    const measure = state.measure;
    if (state.breakdown === "surface") {
      drawChart("chart-usage", `${MEASURE_NAMES[measure]} by product surface`, sel, surfaceLines(measure, sel));
    } else {
      const models = grainSeries("models");
      drawChart("chart-usage", `${MEASURE_NAMES[measure]} by model`, sel, topKeys(models, measure, sel, 10).map((k, i) => ({
        key: k, label: k, colour: COLOURS[(i + 1) % COLOURS.length], values: pick(models[k], measure, sel.periods) })));
    }
    const clients = grainSeries("clients");
    drawChart("chart-clients", `${state.activity === "threads" ? "Threads" : "Turns"} by client`, sel,
      topKeys(clients, state.activity, sel, 10).map((k, i) => ({ key: k, label: k, colour: COLOURS[(i + 1) % COLOURS.length],
        values: pick(clients[k], state.activity, sel.periods) })));
    drawRanking(sel);
    drawReview(sel);
    drawGroups(sel);
    drawCohorts(sel);
    drawCompliance(sel);
  }
  const MEASURE_NAMES = { credits: "Credits", cost_usd: "Cost (USD)", total_tokens: "Text tokens" };

  // -- controls -------------------------------------------------------------------------------
  function preset(days) {
    state.to = D.days[D.days.length - 1];
    state.from = days ? D.days[Math.max(0, D.days.length - days)] : D.days[0];
    $("from").value = state.from; $("to").value = state.to;
  }
  const teams = [...new Set(D.users.team.filter(Boolean))].sort();
  $("team").innerHTML = `<option value="">All teams</option>` + teams.map((t) => `<option>${esc(t)}</option>`).join("");
  $("surface").innerHTML = D.surfaces.map((s) => `<option value="${s}">${s === "all" ? "All clients" : SURFACE_NAMES[s]}</option>`).join("");
  for (const input of ["from", "to"]) {
    $(input).min = D.days[0]; $(input).max = D.days[D.days.length - 1];
    $(input).addEventListener("change", () => {
      state.from = $("from").value || D.days[0]; state.to = $("to").value || D.days[D.days.length - 1];
      if (state.from > state.to) [state.from, state.to] = [state.to, state.from];
      redraw();
    });
  }
  document.querySelectorAll("[data-preset]").forEach((b) => b.addEventListener("click", () => { preset(Number(b.dataset.preset)); redraw(); }));
  document.querySelectorAll("input[name=grain]").forEach((r) => r.addEventListener("change", () => { state.grain = r.value; redraw(); }));
  for (const [id, key] of [["surface", "surface"], ["team", "team"], ["measure", "measure"], ["breakdown", "breakdown"], ["activity", "activity"]]) {
    $(id).addEventListener("change", () => { state[key] = $(id).value; redraw(); });
  }
  document.querySelectorAll("#ranking th[data-sort]").forEach((th) => th.addEventListener("click", () => { state.sort = th.dataset.sort; redraw(); }));
  let resize = null;
  window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(redraw, 150); });
  api.redraw = redraw;

  preset(28);
  redraw();
  performance.mark("dashboard-drawn");
})();
