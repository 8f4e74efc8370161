// The Status tab: reads the status API (the same routes locally and deployed) and follows a running sync.
"use strict";
(() => {
  const connectorId = document.querySelector('meta[name="connector"]').content;
  const base = "/connectors/" + encodeURIComponent(connectorId);
  const $ = (id) => document.getElementById(id);
  const labels = { IN_PROGRESS: "In Progress", ACTIVE: "Active", FAILED: "Failed" };
  const openRuns = new Set();
  let runsShown = "";
  let timer = 0;
  let wasRunning = false;
  // A run this page started, until the status shows it (it starts in the background): followed at the fast pace.
  let following = null;

  async function api(method, path, body) {
    const init = { method, headers: { accept: "application/json" } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(base + path, init);
    let json = null;
    try { json = await response.json(); } catch { json = null; }
    return { status: response.status, json };
  }

  const when = (text) => text ? new Date(text).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—";
  const number = (n) => (n ?? 0).toLocaleString("en-US");
  const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : n < 1073741824 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1073741824).toFixed(2) + " GiB";
  const seconds = (ms) => (ms / 1000).toFixed(1) + " s";

  function cell(row, text, numeric) {
    const td = document.createElement("td");
    td.textContent = text;
    if (numeric) td.className = "num";
    row.appendChild(td);
    return td;
  }

  // An error says what is wrong, then (after "; ") what to do.
  function causeAndFix(error) {
    const at = error.indexOf("; ");
    return at < 0
      ? [error, "fix the cause above, then press Sync now"]
      : [error.slice(0, at), error.slice(at + 2)];
  }

  function showState(connector) {
    const state = $("state");
    if (!connector) {
      state.dataset.state = "NONE";
      state.textContent = "Not synced yet";
      $("good-as-of").textContent = "Press Sync now for the first (historical) sync.";
      $("failure").hidden = true;
      return;
    }
    state.dataset.state = connector.status;
    state.textContent = labels[connector.status] || connector.status;
    $("good-as-of").textContent = connector.lastGoodDataAt ? "Data good as of " + when(connector.lastGoodDataAt) : "No complete data yet";
    const failed = connector.status === "FAILED" && connector.lastError && connector.lastRunStatus !== "RUNNING";
    $("failure").hidden = !failed;
    if (failed) {
      const [cause, fix] = causeAndFix(connector.lastError);
      $("failure-cause").textContent = cause;
      $("failure-fix").textContent = fix;
    }
  }

  function showObjects(connector, lastRun) {
    const body = $("objects").tBodies[0];
    body.replaceChildren();
    const last = new Map((lastRun ? lastRun.objects : []).map((o) => [o.objectName, o]));
    for (const o of connector ? connector.objects : []) {
      const row = body.insertRow();
      row.dataset.object = o.objectName;
      cell(row, o.objectName + (o.selected ? "" : " (not selected)"));
      cell(row, when(o.lastLoadedAt));
      cell(row, number(o.totalInserted - o.totalDeleted), true);
      cell(row, number(o.totalDeleted), true);
      cell(row, when(o.cursor));
      const r = last.get(o.objectName);
      cell(row, r ? "+" + number(r.rowsInserted) : "—", true);
      cell(row, r ? "~" + number(r.rowsUpdated) : "—", true);
      cell(row, r ? "−" + number(r.rowsDeleted) : "—", true);
    }
  }

  function showProgress(run) {
    const p = run && run.run.status === "RUNNING" ? run.progress : null;
    $("progress").hidden = !(run && run.run.status === "RUNNING");
    if (!run || run.run.status !== "RUNNING") return;
    if (!p) {
      $("progress-object").textContent = "Starting run " + run.run.runId + "…";
      return;
    }
    $("progress-object").textContent = `Object ${p.objectIndex} of ${p.objectCount}: ${p.objectName} (${p.phase})`;
    $("progress-bar").max = p.objectCount;
    $("progress-bar").value = p.objectIndex - 1;
    $("progress-rows").textContent = number(p.rows) + " (" + bytes(p.bytes) + ")";
    $("progress-rate").textContent = p.rowsPerSecond == null ? "—" : number(Math.round(p.rowsPerSecond)) + " rows/s";
    $("progress-eta").textContent = p.secondsLeft == null ? "estimated after the first object" : "about " + Math.round(p.secondsLeft) + " s";
  }

  function runDetail(view) {
    const box = document.createElement("div");
    box.className = "scroll";
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const h of ["Object", "Mode", "Status", "Rows", "+inserted", "~updated", "−deleted", "Files", "Bytes", "Extract", "Load"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = h;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const o of view.objects) {
      const row = body.insertRow();
      cell(row, o.objectName);
      cell(row, o.fullResync ? "full re-sync" : o.mode.toLowerCase());
      cell(row, o.status);
      cell(row, number(o.rowsExtracted), true);
      cell(row, number(o.rowsInserted), true);
      cell(row, number(o.rowsUpdated), true);
      cell(row, number(o.rowsDeleted), true);
      cell(row, number(o.files), true);
      cell(row, bytes(o.bytes), true);
      cell(row, seconds(o.extractMilliseconds), true);
      cell(row, seconds(o.loadMilliseconds), true);
    }
    box.appendChild(table);
    if (view.errors.length) {
      const list = document.createElement("ul");
      list.className = "errors";
      for (const e of view.errors) {
        const li = document.createElement("li");
        li.textContent = (e.objectName ? e.objectName + ": " : "Run: ") + e.error;
        list.appendChild(li);
      }
      box.appendChild(list);
    }
    return box;
  }

  async function fillRun(details, runId) {
    const { status, json } = await api("GET", "/runs/" + encodeURIComponent(runId));
    const slot = details.querySelector(".detail");
    slot.replaceChildren(status === 200 ? runDetail(json) : document.createTextNode(json && json.error ? json.error : "not available"));
  }

  function showRuns(page) {
    const text = JSON.stringify(page ? page.runs : []);
    if (text === runsShown) {
      for (const d of $("runs").querySelectorAll("details[open]")) fillRun(d, d.dataset.run);
      return;
    }
    runsShown = text;
    const list = $("runs");
    list.replaceChildren();
    for (const r of page ? page.runs : []) {
      const li = document.createElement("li");
      const details = document.createElement("details");
      details.dataset.run = r.runId;
      const summary = document.createElement("summary");
      const status = document.createElement("span");
      status.className = "run-status " + r.status;
      status.textContent = r.status;
      summary.append(status, ` ${r.runId} · ${r.mode.toLowerCase()} · started ${when(r.startedAt)}` +
        (r.durationMilliseconds == null ? "" : ` · ${seconds(r.durationMilliseconds)}`) +
        ` · ${number(r.rowsExtracted)} rows · ${bytes(r.bytes)}` +
        (r.failedObjects.length ? ` · failed: ${r.failedObjects.join(", ")}` : ""));
      const slot = document.createElement("div");
      slot.className = "detail";
      details.append(summary, slot);
      details.addEventListener("toggle", () => {
        if (details.open) { openRuns.add(r.runId); fillRun(details, r.runId); } else { openRuns.delete(r.runId); }
      });
      if (openRuns.has(r.runId)) details.open = true;
      if (r.error) {
        const error = document.createElement("p");
        error.className = "errors";
        error.textContent = r.error;
        li.append(details, error);
      } else {
        li.append(details);
      }
      list.appendChild(li);
    }
  }

  // The latest destination checks ({ranAt, report: {checks: [{number, name, outcome, message, fix}]}}), when the API has them.
  function showChecks(answer) {
    $("checks").hidden = answer.status !== 200;
    if (answer.status !== 200 || !answer.json) return;
    const json = answer.json;
    const results = (json.report && json.report.checks) || json.checks || [];
    const ok = (c) => c.outcome ? c.outcome !== "FAIL" : c.passed !== false;
    const failed = results.filter((c) => !ok(c)).length;
    $("checks-summary").textContent = (failed ? `${failed} of ${results.length} checks failed` : `All ${results.length} checks passed`) +
      (json.ranAt ? " (" + when(json.ranAt) + ")" : "");
    const list = $("checks-list");
    list.replaceChildren();
    for (const c of results) {
      const li = document.createElement("li");
      li.className = ok(c) ? "check-ok" : "check-bad";
      li.textContent = `${c.outcome || (c.passed ? "PASS" : "FAIL")} — ${c.number ? c.number + ". " : ""}${c.name || c.subject || ""}${c.message ? ": " + c.message : ""}`;
      if (c.fix) {
        const fix = document.createElement("pre");
        fix.textContent = c.fix;
        li.appendChild(fix);
      }
      list.appendChild(li);
    }
  }

  async function refresh() {
    clearTimeout(timer);
    let running = false;
    try {
      const connector = await api("GET", "");
      if (connector.status !== 200 && connector.status !== 404) throw new Error(connector.json && connector.json.error || "status " + connector.status);
      const view = connector.status === 200 ? connector.json : null;
      const lastRun = view && view.lastRunId ? await api("GET", "/runs/" + encodeURIComponent(view.lastRunId)) : null;
      const run = lastRun && lastRun.status === 200 ? lastRun.json : null;
      running = !!(run && run.run.status === "RUNNING");
      const seen = following && run && run.run.runId === following.runId;
      if (seen || (following && Date.now() > following.until)) following = null;
      if ((wasRunning || seen) && !running) {
        // The run the notice was about has ended: what the page shows now says how it went.
        $("notice").className = "";
        $("notice").textContent = "";
      }
      wasRunning = running;
      showState(view);
      showObjects(view, run);
      showProgress(run);
      const runs = view ? await api("GET", "/runs?limit=10") : null;
      showRuns(runs && runs.status === 200 ? runs.json : null);
      showChecks(await api("GET", "/checks/latest"));
      $("sync-now").disabled = false;
      document.body.dataset.loaded = "true";
    } catch (e) {
      $("notice").className = "error";
      $("notice").textContent = "Could not read the status: " + e.message;
    }
    timer = setTimeout(refresh, running || following ? 1000 : 5000);
  }

  async function post(path, button, started) {
    button.disabled = true;
    const notice = $("notice");
    try {
      const { status, json } = await api("POST", path);
      notice.className = status < 300 ? "" : "error";
      notice.textContent = status < 300 ? started(json) : (json && json.error) || "the request failed with status " + status;
    } catch (e) {
      notice.className = "error";
      notice.textContent = "The request did not reach the server: " + e.message;
    }
    button.disabled = false;
    refresh();
  }

  $("sync-now").addEventListener("click", () => post("/runs", $("sync-now"), (json) => {
    following = { runId: json.runId, until: Date.now() + 30000 };
    return `Run ${json.runId} started.`;
  }));
  $("run-checks").addEventListener("click", () => post("/checks", $("run-checks"), () => "Checks started."));
  refresh();
})();
