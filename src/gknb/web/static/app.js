/* gknb workspace: the few interactions of the server-rendered pages, all through the REST API.
   Text from reports is only ever set with textContent (el() below), never as HTML. */
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function toast(text, bad) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = bad ? "show bad" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = ""; }, bad ? 8000 : 3000);
}

/* A refused request: its message already shown in the toast. */
class ApiError extends Error {}

async function api(method, url, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf(), Accept: "application/json" } };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    toast("无法连接服务器，请检查网络后重试", true);
    throw new ApiError(String(error));
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (data && data.detail) || {};
    let message = detail.message || `请求失败：HTTP ${response.status}`;
    if (response.status === 409 && "current" in detail) message += `（当前值：${detail.current ?? "空白"}）`;
    toast(message, true);
    throw new ApiError(detail.message_en || message);
  }
  return data;
}

/* An event handler whose refused requests end in the toast, not in an uncaught error. */
function guard(handler) {
  return async (...args) => {
    try {
      await handler(...args);
    } catch (error) {
      if (!(error instanceof ApiError)) { toast(`出错了：${error.message}`, true); console.error(error); }
    }
  };
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false)
    node.append(child instanceof Node ? child : String(child));
  return node;
}

/* Reload the page, then say what happened (and reopen the cell worked on). */
function reloadWith(note, cell) {
  sessionStorage.setItem("gknb-toast", note);
  if (cell) sessionStorage.setItem("gknb-cell", cell);
  location.reload();
}

const SEVERITY = { error: "错误", warning: "警告", info: "提示" };

/* ---- report page ---------------------------------------------------------------------- */

async function reportPage() {
  const root = document.getElementById("report");
  const id = root.dataset.id;
  const data = await api("GET", `/api/reports/${id}`);
  const cellOf = (key) => document.querySelector(`td.cell[data-key="${CSS.escape(key)}"]`);
  let current = null;

  function select(key) {
    current = key;
    document.querySelectorAll("td.cell.focus").forEach((td) => td.classList.remove("focus"));
    const td = cellOf(key);
    if (td) td.classList.add("focus");
    const panel = document.getElementById("cell-panel");
    panel.hidden = false;
    document.getElementById("cell-label").textContent = td ? td.title : key;
    document.getElementById("cell-key").textContent = key;
    const value = data.cells[key];
    document.getElementById("cell-value").textContent = value === null || value === undefined ? "（空白）" : value;
    const printed = (data.printed || {})[key];
    const printedBox = document.getElementById("cell-printed");
    printedBox.hidden = printed === null || printed === undefined || String(printed) === String(value);
    printedBox.querySelector("span").textContent = printed ?? "";
    document.getElementById("cell-corrected").hidden = !(data.corrected || []).includes(key);
    const findings = data.findings.filter((f) => f.cells.includes(key));
    const list = document.getElementById("cell-findings");
    list.replaceChildren(...findings.map((f) => el("li", { class: `sev-${f.severity}` },
      el("span", { class: `badge sev-${f.severity}` }, SEVERITY[f.severity] || f.severity),
      el("p", {}, f.message),
      el("details", { class: "internals" }, el("summary", {}, "详情"), el("span", { class: "mono rule" }, f.rule)))));
    if (!findings.length) list.replaceChildren(el("li", { class: "ok" }, "该单元格没有发现问题。"));
    const input = document.getElementById("correct-value");
    if (input) { input.value = value ?? ""; hideConfirm(); }
    showSource(key);
  }

  async function showSource(key) {
    const box = document.getElementById("cell-source");
    box.replaceChildren(el("p", { class: "muted" }, "正在读取原文…"));
    let found;
    try {
      found = await api("GET", `/api/reports/${id}/source/${encodeURIComponent(key)}`);
    } catch (error) {
      if (current === key) box.replaceChildren(el("p", { class: "muted" }, "无法读取原文位置。"));
      throw error;
    }
    if (current !== key) return;
    if (found.kind === "lines") {
      const lines = found.lines.map((line) => {
        const row = el("div", { class: line.hit ? "src-line hit" : "src-line" }, el("span", { class: "ln" }, line.line ?? ""));
        const text = el("span", { class: "src-text" });
        if (line.cells) {
          line.cells.forEach((cell, i) => {
            const hit = line.hit && i === line.col;
            if (cell.trim() || hit) text.append(el("span", { class: hit ? "src-cell hit" : "src-cell" }, cell));
          });
        } else text.append(line.text);
        row.append(text);
        return row;
      });
      box.replaceChildren(el("h4", {}, "原文位置", el("small", { class: "muted" }, "（高亮为该单元格所在行）")),
                          el("div", { class: "source-lines", id: "source-lines" }, ...lines));
      const hit = document.querySelector("#source-lines .src-line.hit");  // scroll the excerpt, not the page
      if (hit) hit.parentElement.scrollTop = Math.max(0, hit.offsetTop - hit.parentElement.clientHeight / 3);
    } else if (found.kind === "page") {
      const [x0, y0, x1, y1] = found.bbox;
      const mark = el("div", { class: "bbox", title: "该单元格在原件中的位置" });
      mark.style.left = `${(x0 / found.width) * 100}%`;
      mark.style.top = `${(y0 / found.height) * 100}%`;
      mark.style.width = `${((x1 - x0) / found.width) * 100}%`;
      mark.style.height = `${((y1 - y0) / found.height) * 100}%`;
      const image = el("img", { src: found.image, alt: `原件第 ${found.page} 页` });
      const sheet = el("div", { class: "page-sheet" }, image, mark);
      const frame = el("div", { class: "page-frame", id: "source-page" }, sheet);
      const zoom = el("button", { type: "button", class: "link", id: "page-zoom" }, "缩小看整页");
      zoom.addEventListener("click", () => {
        const whole = frame.classList.toggle("whole");
        zoom.textContent = whole ? "放大看局部" : "缩小看整页";
        centre();
      });
      const centre = () => {  // the box in the middle of the frame
        frame.scrollLeft = Math.max(0, mark.offsetLeft + mark.offsetWidth / 2 - frame.clientWidth / 2);
        frame.scrollTop = Math.max(0, mark.offsetTop + mark.offsetHeight / 2 - frame.clientHeight / 2);
      };
      image.addEventListener("load", () => { centre(); frame.dataset.ready = "1"; });
      box.replaceChildren(el("h4", {}, `原件第 ${found.page} 页`, " ", zoom, " ",
                             el("a", { href: found.image, target: "_blank", rel: "noopener" }, "打开整页")), frame);
    } else {
      box.replaceChildren(el("h4", {}, "原文位置"),
                          el("p", { class: "muted", id: "source-none" }, (found.reason && found.reason.message) || "没有原文位置"));
    }
  }

  document.querySelectorAll("td.cell").forEach((td) => {
    td.addEventListener("click", guard(() => select(td.dataset.key)));
    td.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); guard(() => select(td.dataset.key))(); } });
  });
  document.querySelectorAll("#findings li[data-cells]").forEach((li) => li.addEventListener("click", guard(() => {
    const keys = li.dataset.cells.split(" ").filter(Boolean);
    document.querySelectorAll("#findings li.on").forEach((x) => x.classList.remove("on"));
    document.querySelectorAll("td.cell.flag").forEach((td) => td.classList.remove("flag"));
    if (!keys.length) return;
    li.classList.add("on");
    keys.forEach((k) => cellOf(k)?.classList.add("flag"));
    cellOf(keys[0])?.scrollIntoView({ block: "center" });
    return select(keys[0]);
  })));

  /* A correction is saved only from the confirm step: Enter in the form (or 核对更正…) shows what will
     be saved; only the 确认保存 button, never focused by itself, sends it — with the reason and the
     revision this page was read at (a stale page gets 409 and the current value). */
  function hideConfirm() {
    const box = document.getElementById("correct-confirm");
    if (box) box.hidden = true;
  }
  document.getElementById("correct-form")?.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!current) return;
    const reason = document.getElementById("correct-comment").value.trim();
    if (!reason) { toast("请写明更正原因", true); document.getElementById("correct-comment").focus(); return; }
    const value = document.getElementById("correct-value").value.trim();
    const old = data.cells[current];
    document.getElementById("correct-summary").textContent =
      `将「${cellOf(current)?.title || current}」由 ${old ?? "（空白）"} 改为 ${value || "（空白）"}；原因：${reason}`;
    document.getElementById("correct-confirm").hidden = false;
  });
  document.getElementById("correct-cancel")?.addEventListener("click", hideConfirm);
  document.getElementById("correct-button")?.addEventListener("click", guard(async () => {
    if (!current) return;
    const button = document.getElementById("correct-button");
    button.disabled = true;
    try {
      await api("PUT", `/api/reports/${id}/cells/${encodeURIComponent(current)}`, {
        value: document.getElementById("correct-value").value,
        comment: document.getElementById("correct-comment").value.trim(),
        revision: data.revision,
      });
    } finally {
      button.disabled = false;
    }
    reloadWith("已保存更正，检查已重新运行", current);
  }));

  document.getElementById("review-form")?.addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    await api("POST", `/api/reports/${id}/review`, {
      status: document.getElementById("review-status").value,
      comment: document.getElementById("review-comment").value || null,
    });
    reloadWith("审核结果已保存");
  }));

  document.querySelectorAll("button.edit-meta").forEach((button) => button.addEventListener("click", () => {
    const dd = button.closest("dd");
    const field = dd.dataset.field;
    const input = el("input", { class: "meta-input", "data-field": field, "aria-label": "更正为" });
    input.value = dd.dataset.value;
    const note = el("input", { class: "meta-comment", placeholder: "原因（必填）", required: "" });
    const save = el("button", { class: "primary meta-save", type: "submit" }, "保存");
    const cancel = el("button", { class: "meta-cancel", type: "button" }, "取消");
    const form = el("form", { class: "inline-form meta-form" }, input, note, save, cancel);
    const shown = [...dd.childNodes];
    cancel.addEventListener("click", () => dd.replaceChildren(...shown));
    form.addEventListener("submit", guard(async (e) => {
      e.preventDefault();
      if (!note.value.trim()) { toast("请写明更正原因", true); note.focus(); return; }
      if (!confirm(`确认将「${field}」改为「${input.value}」？原因：${note.value.trim()}`)) return;
      await api("PUT", `/api/reports/${id}/meta/${field}`, { value: input.value, comment: note.value.trim(),
                                                              revision: data.revision });
      reloadWith("已保存更正，检查已重新运行");
    }));
    dd.replaceChildren(form);
    input.focus();
  }));

  reviewKeys(root, id, cellOf, select);
  const assignTo = document.getElementById("assign-to");
  if (assignTo) {
    const assignButton = document.getElementById("assign-button");
    assignButton.disabled = true;  // until the reviewers are listed: a click before would unassign
    fillAssignees(assignTo, assignTo.dataset.current).finally(() => { assignButton.disabled = false; });
    assignButton.addEventListener("click", guard(async () => {
      await api("POST", "/api/assignments", { report_ids: [Number(id)], assignee: assignTo.value || null });
      reloadWith(assignTo.value ? `已分配给「${assignTo.value}」` : "已取消分配");
    }));
  }

  const reopen = sessionStorage.getItem("gknb-cell");
  if (reopen) {
    sessionStorage.removeItem("gknb-cell");
    if (cellOf(reopen)) await select(reopen);
  }
  root.dataset.ready = "1";
}

/* The reviewers this user may assign to, as the options of a <select> (the current one chosen). */
async function fillAssignees(box, current) {
  const people = await api("GET", "/api/assignees");
  for (const p of people) {
    const option = el("option", { value: p.name }, p.region ? `${p.name}（${p.region}）` : p.name);
    if (p.name === current) option.selected = true;
    box.append(option);
  }
}

/* Keyboard review on the report page: j/k (or ↓/↑) walk the problem cells in the order of the page,
   Enter or o opens the cell's findings (and source), a / r open the review box (已审核 / 退回), n / p go
   to the next / previous report of the list the reviewer came from. Nothing is saved from a key: the
   review box saves only from its 确认 button (退回 needs the comment), a correction only from 确认保存. */
function reviewKeys(root, id, cellOf, select) {
  const problems = [...document.querySelectorAll("td.cell.sev-error, td.cell.sev-warning")];
  let at = -1;
  const move = (step) => {
    if (!problems.length) { toast("本报告没有标出问题的单元格"); return; }
    const focused = problems.indexOf(document.activeElement);
    if (focused >= 0) at = focused;
    at = at < 0 ? (step > 0 ? 0 : problems.length - 1) : (at + step + problems.length) % problems.length;
    const td = problems[at];
    document.querySelectorAll("td.cell.kbd").forEach((x) => x.classList.remove("kbd"));
    td.classList.add("kbd");
    td.focus();
    td.scrollIntoView({ block: "center" });
  };
  const dialog = document.getElementById("review-dialog");
  const openReview = (status) => {
    if (!dialog) return;
    dialog.dataset.status = status;
    document.getElementById("review-dialog-title").textContent =
      status === "approved" ? "将本报告标记为「已审核」" : "退回本报告（请写明退回意见）";
    const comment = document.getElementById("review-dialog-comment");
    comment.placeholder = status === "approved" ? "意见（可不填）" : "退回意见（必填），如：表三第（二）项数据有误";
    comment.required = status === "returned";
    dialog.showModal();
    comment.focus();
  };
  if (dialog) {
    document.getElementById("review-dialog-cancel").addEventListener("click", () => dialog.close());
    // Closed (Escape, 取消): the focus leaves the hidden comment box (Chromium fixes a hidden focus up
    // only at its next rendering); a key typed before this event is the page's too (see keydown below).
    dialog.addEventListener("close", () => { if (dialog.contains(document.activeElement)) document.activeElement.blur(); });
    document.getElementById("review-dialog-save").addEventListener("click", guard(async () => {
      const status = dialog.dataset.status;
      const comment = document.getElementById("review-dialog-comment").value.trim();
      if (status === "returned" && !comment) { toast("退回时请写明原因", true); document.getElementById("review-dialog-comment").focus(); return; }
      await api("POST", `/api/reports/${id}/review`, { status, comment: comment || null });
      dialog.close();
      const next = document.getElementById("review-dialog-next");
      const note = status === "approved" ? "已审核" : "已退回";
      if (next && next.checked && root.dataset.next) {
        sessionStorage.setItem("gknb-toast", `${note}，已打开下一份`);
        location.href = root.dataset.next;
      } else reloadWith(`${note}：审核结果已保存`);
    }));
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || (dialog && dialog.open)) return;
    // A key typed in a form field is the field's, except in the closed review box: Chromium may leave
    // the focus on its hidden comment box until the "close" event's blur, and the key is the page's.
    const inDialog = dialog && dialog.contains(e.target);
    if (!inDialog && e.target.closest("input, textarea, select, button, [contenteditable]")) return;
    const key = e.key;
    if (key === "j" || (key === "ArrowDown" && e.target.matches("td.cell, body"))) { e.preventDefault(); move(1); }
    else if (key === "k" || (key === "ArrowUp" && e.target.matches("td.cell, body"))) { e.preventDefault(); move(-1); }
    else if (key === "o" && e.target.matches("td.cell")) { e.preventDefault(); guard(() => select(e.target.dataset.key))(); }
    else if (key === "a" && dialog) { e.preventDefault(); openReview("approved"); }
    else if (key === "r" && dialog) { e.preventDefault(); openReview("returned"); }
    else if (key === "n" && root.dataset.next) location.href = root.dataset.next;
    else if (key === "p" && root.dataset.previous) location.href = root.dataset.previous;
  });
}

/* ---- upload page ---------------------------------------------------------------------- */

const STATUS = { queued: "排队中", running: "处理中", stored: "已入库", duplicate: "重复（已有）", failed: "失败", unpacked: "已解压" };

function uploadPage() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const drop = document.getElementById("drop");
  const files = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  const showChosen = () => {
    const names = [...files.files].map((f) => f.name);
    chosen.textContent = names.length ? `已选择 ${names.length} 个文件：${names.join("、")}` : "";
  };
  files.addEventListener("change", showChosen);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); files.files = e.dataTransfer.files; showChosen(); });
  form.addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    const body = new FormData(form);
    const button = document.getElementById("upload-button");
    button.disabled = true;
    button.textContent = "正在上传…";
    let upload;
    try {
      upload = await api("POST", "/api/uploads", body);
    } finally {
      button.disabled = false;
      button.textContent = "开始上传";
    }
    form.reset();
    showChosen();
    await follow(upload);
  }));
  // an upload still being read (the page was left and reopened): follow it again
  api("GET", "/api/uploads").then((recent) => {
    const running = (recent || []).find((u) => u.state !== "done");
    if (running && document.getElementById("progress").hidden) follow(running);
  }).catch(() => {});
}

function leaves(upload) {
  return upload.files.flatMap((item) => (item.members && item.members.length ? item.members : [item]));
}

function fileRows(item, running, member) {
  const status = item.status === "queued" && running ? "running" : item.status;
  const link = item.report_id ? el("a", { href: `/reports/${item.report_id}` }, "查看报告") : null;
  let name = item.name;
  try { name = decodeURI(name); } catch (error) { /* shown as given */ }
  const why = item.error ? [el("span", {}, item.error.message), " ", el("span", { class: "muted en" }, item.error.message_en)] : [];
  const rows = [el("tr", { class: `st-${status}${member ? " member" : ""}` },
    el("td", { class: "file" }, member ? el("span", { class: "tree" }, "└ ") : null, name),
    el("td", { class: "status" }, el("span", { class: `pill st-${status}` }, STATUS[status] || status)),
    el("td", { class: "note" }, ...why, link))];
  for (const m of item.members || []) rows.push(...fileRows(m, false, true));
  return rows;
}

async function follow(upload) {
  const progress = document.getElementById("progress");
  progress.hidden = false;
  const body = document.querySelector("#upload-files tbody");
  for (;;) {
    const done = upload.state === "done";
    body.replaceChildren(...upload.files.flatMap((item) => fileRows(item, upload.state === "running", false)));
    const counts = {};
    for (const item of leaves(upload)) counts[item.status] = (counts[item.status] || 0) + 1;
    const finished = upload.files.filter((f) => f.status !== "queued").length;
    const bar = document.getElementById("progress-bar");
    bar.max = upload.files.length;
    bar.value = done ? upload.files.length : finished;
    const summary = ["stored", "duplicate", "failed", "queued"].filter((k) => counts[k])
      .map((k) => `${STATUS[k]} ${counts[k]}`).join("，");
    document.getElementById("progress-state").textContent = `${done ? "完成" : "处理中"}：${summary}`;
    progress.dataset.state = upload.state;
    if (done) break;
    await new Promise((resolve) => setTimeout(resolve, 600));
    upload = await api("GET", `/api/uploads/${upload.id}`);
  }
}

/* ---- report list ---------------------------------------------------------------------- */

function reportsPage() {
  const button = document.getElementById("compare-picked");
  if (!button) return;
  const picks = [...document.querySelectorAll("#reports input.pick")];
  // the earlier year on the left
  const picked = () => picks.filter((p) => p.checked)
    .sort((x, y) => Number(x.dataset.year) - Number(y.dataset.year) || Number(x.value) - Number(y.value)).map((p) => p.value);
  const update = () => {
    const n = picked().length;
    button.disabled = n !== 2;
    button.textContent = n === 2 ? "对比所选（2 份）" : n > 2 ? `对比所选（只能选 2 份，已选 ${n} 份）` : "对比所选";
    picks.forEach((p) => p.closest("tr").classList.toggle("picked", p.checked));
  };
  picks.forEach((p) => p.addEventListener("change", update));
  button.addEventListener("click", () => {
    const ids = picked();
    if (ids.length === 2) location.href = `/compare?a=${encodeURIComponent(ids[0])}&b=${encodeURIComponent(ids[1])}`;
  });
  const all = document.getElementById("pick-all");
  all?.addEventListener("change", () => { picks.forEach((p) => { p.checked = all.checked; }); update(); bulk(); });
  picks.forEach((p) => p.addEventListener("change", () => bulk()));
  const bar = document.getElementById("bulk");
  const bulk = () => {
    if (!bar) return;
    const n = picks.filter((p) => p.checked).length;
    bar.hidden = n === 0;
    document.getElementById("bulk-count").textContent = `已选 ${n} 份`;
    document.getElementById("bulk-confirm").hidden = true;
  };
  update();
  if (!bar) return;
  const assignee = document.getElementById("bulk-assignee");
  if (assignee) fillAssignees(assignee, "");
  /* Each bulk action first says what it will do; only 确认 sends it. */
  let pending = null;
  const ask = (summary, action) => {
    pending = action;
    document.getElementById("bulk-summary").textContent = summary;
    document.getElementById("bulk-confirm").hidden = false;
  };
  const chosen = () => picks.filter((p) => p.checked).map((p) => Number(p.value));
  const comment = () => document.getElementById("bulk-comment").value.trim();
  document.getElementById("bulk-approve").addEventListener("click", () => ask(
    `将所选 ${chosen().length} 份报告标记为「已审核」${comment() ? `，意见：${comment()}` : ""}`,
    () => api("POST", "/api/reviews", { report_ids: chosen(), status: "approved", comment: comment() || null })));
  document.getElementById("bulk-return").addEventListener("click", () => {
    if (!comment()) { toast("批量退回时请写明退回意见", true); document.getElementById("bulk-comment").focus(); return; }
    ask(`退回所选 ${chosen().length} 份报告，退回意见：${comment()}`,
        () => api("POST", "/api/reviews", { report_ids: chosen(), status: "returned", comment: comment() }));
  });
  document.getElementById("bulk-assign")?.addEventListener("click", () => ask(
    assignee.value ? `将所选 ${chosen().length} 份报告分配给「${assignee.value}」` : `取消所选 ${chosen().length} 份报告的分配`,
    () => api("POST", "/api/assignments", { report_ids: chosen(), assignee: assignee.value || null, comment: comment() || null })));
  document.getElementById("bulk-cancel").addEventListener("click", () => { document.getElementById("bulk-confirm").hidden = true; pending = null; });
  document.getElementById("bulk-go").addEventListener("click", guard(async () => {
    if (!pending) return;
    const action = pending;
    pending = null;
    const done = await action();
    const n = done.decided ?? done.changed;
    reloadWith(`已处理 ${n} 份报告`);
  }));
}

/* ---- dashboard ------------------------------------------------------------------------ */

async function dashboardPage() {
  const root = document.getElementById("charts");
  const levels = JSON.parse(root.dataset.levels || "{}");
  const data = await api("GET", `/api/dashboard?${root.dataset.query}`);
  const charts = {};
  for (const section of root.querySelectorAll("section[data-chart]")) {
    const name = section.dataset.chart;
    const table = data[name];
    const [title, english] = table.title.split(" / ");
    const heading = section.querySelector("h3");
    heading.textContent = title;
    if (english) heading.title = english;
    const box = section.querySelector(".chart");
    if (table.empty) {
      box.replaceChildren(el("p", { class: "muted empty-chart" }, "无数据（当前筛选下没有不为 0 的数字）"));
      section.dataset.empty = "1";
      section.querySelector("button.save-png").disabled = true;
      continue;
    }
    const rows = name === "levels" ? table.rows.map((r) => [levels[r[0]] || r[0], ...r.slice(1)]) : table.rows;
    const chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(chartOption(name, { ...table, rows }));
    charts[name] = chart;
  }
  root.dataset.ready = "1";
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  root.querySelectorAll("button.save-png").forEach((button) => button.addEventListener("click", () => {
    const url = charts[button.dataset.chart].getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    const a = el("a", { href: url, download: `${button.dataset.chart}.png` });
    document.body.append(a); a.click(); a.remove();
  }));
}

const PALETTE = ["#3b6fb6", "#e0a526", "#c0392b", "#2e8b57", "#7d5ba6", "#5aa7c8", "#9c6b3c", "#888"];

function chartOption(name, table) {
  const base = { color: PALETTE, textStyle: { fontFamily: "inherit" }, tooltip: { trigger: name === "outcomes" ? "item" : "axis" },
                 grid: { left: 20, right: 20, top: 44, bottom: 10, containLabel: true }, animation: false };
  const rows = table.rows;
  const percent = (v) => `${Math.round(v * 1000) / 10}%`;
  if (name === "by_year") {
    return { ...base, legend: { top: 0 }, xAxis: { type: "category", data: rows.map((r) => (typeof r[0] === "number" ? `${r[0]}年` : `${r[0]}年度`)) }, yAxis: { type: "value", name: "件" },
             series: table.columns.slice(1).map((label, i) => ({ name: label, type: i < 2 ? "bar" : "line", data: rows.map((r) => r[i + 1]) })) };
  }
  if (name === "outcomes") {
    return { ...base, tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" }, legend: { bottom: 0 },
             series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "46%"], label: { formatter: "{b}\n{d}%" },
                        data: rows.map((r) => ({ name: r[0], value: r[1] })) }] };
  }
  if (name === "agencies") {
    const sorted = [...rows].reverse();
    return { ...base, grid: { ...base.grid, top: 10, right: 40 }, xAxis: { type: "value" },
             yAxis: { type: "category", data: sorted.map((r) => r[0]), axisLabel: { width: 180, overflow: "truncate" } },
             series: [{ name: table.columns[1], type: "bar", data: sorted.map((r) => r[1]), label: { show: true, position: "right" } }] };
  }
  return { ...base, tooltip: { trigger: "axis", valueFormatter: (v) => (v <= 1 && !Number.isInteger(v) ? percent(v) : v) },
           xAxis: { type: "category", data: rows.map((r) => r[0]), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
           yAxis: [{ type: "value", name: "报告数", minInterval: 1 }, { type: "value", name: "差错率", min: 0, max: 1, axisLabel: { formatter: percent } }],
           legend: { top: 0 },
           series: [{ name: "报告数", type: "bar", data: rows.map((r) => r[1]) }, { name: "有错误", type: "bar", data: rows.map((r) => r[2]) },
                    { name: "差错率", type: "line", yAxisIndex: 1, data: rows.map((r) => r[3]) }] };
}

/* ---- users and tokens ----------------------------------------------------------------- */

function usersPage() {
  document.getElementById("user-form").addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    await api("POST", "/api/users", {
      name: document.getElementById("new-name").value, password: document.getElementById("new-password").value,
      role: document.getElementById("new-role").value, region: document.getElementById("new-region").value || null,
    });
    reloadWith("用户已创建");
  }));
  document.querySelectorAll("button.save-user").forEach((b) => b.addEventListener("click", guard(async () => {
    const row = b.closest("tr");
    await api("PATCH", `/api/users/${encodeURIComponent(b.dataset.name)}`, {
      role: row.querySelector(".user-role").value, region: row.querySelector(".user-region").value.trim(),
    });
    reloadWith(`已保存用户「${b.dataset.name}」`);
  })));
  document.querySelectorAll("button.deactivate").forEach((b) => b.addEventListener("click", guard(async () => {
    if (!confirm(`确定停用用户「${b.dataset.name}」？停用后该用户不能登录，其 API 令牌也失效。`)) return;
    await api("PATCH", `/api/users/${encodeURIComponent(b.dataset.name)}`, { active: false });
    reloadWith("用户已停用");
  })));
  document.querySelectorAll("input.assign-right").forEach((box) => box.addEventListener("change", guard(async () => {
    try {
      await api("PUT", `/api/users/${encodeURIComponent(box.dataset.name)}/assign-right`, { allowed: box.checked });
    } catch (error) { box.checked = !box.checked; throw error; }
    toast(box.checked ? `「${box.dataset.name}」可以分配报告了` : `「${box.dataset.name}」不再能分配报告`);
  })));
  document.querySelectorAll("button.reset-password").forEach((b) => b.addEventListener("click", guard(async () => {
    const input = b.closest("tr").querySelector(".user-password");
    if (input.value.length < 8) { toast("新密码至少 8 个字符", true); input.focus(); return; }
    await api("PATCH", `/api/users/${encodeURIComponent(b.dataset.name)}`, { password: input.value });
    input.value = "";
    toast(`已重置用户「${b.dataset.name}」的密码`);
  })));
}

function accountPage() {
  document.getElementById("token-form").addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    const made = await api("POST", "/api/tokens", { name: document.getElementById("token-name").value });
    const box = document.getElementById("new-token");
    box.hidden = false;
    box.replaceChildren(el("p", {}, "新令牌（只显示这一次，请立即复制保存）："), el("code", { id: "token-value" }, made.token));
    showTokens(await api("GET", "/api/tokens"));
  }));
  document.querySelectorAll("button.revoke").forEach(wireRevoke);
  document.getElementById("password-form").addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    const [current, fresh, repeat] = ["current-password", "new-password", "repeat-password"].map((id) => document.getElementById(id));
    if (fresh.value !== repeat.value) { toast("两次输入的新密码不一致", true); repeat.focus(); return; }
    await api("PUT", "/api/me/password", { current: current.value, new: fresh.value });
    e.target.reset();
    toast("密码已修改");
  }));
}

function wireRevoke(button) {
  button.addEventListener("click", guard(async () => {
    await api("DELETE", `/api/tokens/${button.dataset.id}`);
    reloadWith("令牌已撤销");
  }));
}

/* The token table from /api/tokens (a token just made is listed at once). */
function showTokens(tokens) {
  const when = (iso) => (iso ? el("time", { class: "utc", datetime: `${iso}Z` }, iso.replace("T", " ").slice(0, 16)) : "—");
  document.querySelector("#tokens tbody").replaceChildren(...tokens.map((t) => {
    const revoke = el("button", { class: "link revoke", "data-id": String(t.id) }, "撤销");
    wireRevoke(revoke);
    return el("tr", {}, el("td", {}, t.name), el("td", {}, when(t.created)), el("td", {}, when(t.last_used)), el("td", {}, revoke));
  }));
  localTimes();
}

/* Filter forms send only the fields that are set (an empty 年度 is "all", not a bad number). */
function filterForms() {
  document.querySelectorAll("form.filters").forEach((form) => {
    form.addEventListener("submit", () => {
      for (const field of form.elements) if (field.name && field.value === "") field.disabled = true;
    });
  });
  // back from the next page: the fields are usable again
  window.addEventListener("pageshow", () => document.querySelectorAll("form.filters [disabled]").forEach((f) => { f.disabled = false; }));
}

/* A form with no action is this script's alone: never sent natively. Sent before the page's script has bound
   it, the page would reload and what was typed be lost; the user is told to wait instead. */
function scriptForms() {
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.hasAttribute("action") || form.getAttribute("method") === "dialog") return;
    e.preventDefault();
    if (!document.body.dataset.ready) toast("页面仍在加载，请稍候再提交", true);
  });
}

/* Times are stored in UTC: shown in the reader's own time zone. */
function localTimes() {
  const pad = (n) => String(n).padStart(2, "0");
  document.querySelectorAll("time.utc").forEach((t) => {
    const d = new Date(t.getAttribute("datetime"));
    if (Number.isNaN(d.getTime())) return;
    t.textContent = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes();
  filterForms();
  scriptForms();
  const note = sessionStorage.getItem("gknb-toast");
  if (note) { sessionStorage.removeItem("gknb-toast"); toast(note); }
  const pages = { reports: reportsPage, report: reportPage, upload: uploadPage, dashboard: dashboardPage, users: usersPage, account: accountPage };
  const run = pages[document.body.dataset.page];
  (run ? guard(run)() : Promise.resolve()).finally(() => { document.body.dataset.ready = "1"; });
});
