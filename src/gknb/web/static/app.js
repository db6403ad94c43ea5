/* gknb workspace: the few interactions of the server-rendered pages, all through the REST API. */
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function toast(text, bad) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = bad ? "show bad" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = ""; }, bad ? 8000 : 3000);
}

async function api(method, url, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf(), Accept: "application/json" } };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (data && data.detail) || {};
    const message = detail.message ? `${detail.message}（${detail.message_en}）` : `请求失败：HTTP ${response.status}`;
    toast(message, true);
    throw new Error(message);
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined)
    node.append(child instanceof Node ? child : String(child));
  return node;
}

/* ---- report page ---------------------------------------------------------------------- */

async function reportPage() {
  const root = document.getElementById("report");
  const id = root.dataset.id;
  const data = await api("GET", `/api/reports/${id}`);
  let current = null;

  function select(key) {
    current = key;
    document.querySelectorAll("td.cell.focus").forEach((td) => td.classList.remove("focus"));
    const td = document.querySelector(`td.cell[data-key="${CSS.escape(key)}"]`);
    if (td) td.classList.add("focus");
    const panel = document.getElementById("cell-panel");
    panel.hidden = false;
    document.getElementById("cell-label").textContent = td ? td.title : key;
    document.getElementById("cell-key").textContent = key;
    const value = data.cells[key];
    document.getElementById("cell-value").textContent = value === null || value === undefined ? "（空白）" : value;
    document.getElementById("cell-printed").textContent = (data.printed || {})[key] ?? "—";
    const list = document.getElementById("cell-findings");
    list.replaceChildren(...data.findings.filter((f) => f.cells.includes(key)).map((f) =>
      el("li", { class: `sev-${f.severity}` }, el("span", { class: "mono rule" }, f.rule), el("p", {}, f.message))));
    const input = document.getElementById("correct-value");
    if (input) { input.value = value ?? ""; input.focus(); }
    showSource(key);
  }

  async function showSource(key) {
    const box = document.getElementById("cell-source");
    box.replaceChildren(el("p", { class: "muted" }, "正在读取原文…"));
    const found = await api("GET", `/api/reports/${id}/source/${encodeURIComponent(key)}`);
    if (current !== key) return;
    if (found.kind === "lines") {
      const lines = found.lines.map((line) => {
        const row = el("div", { class: line.hit ? "src-line hit" : "src-line" },
          el("span", { class: "ln" }, line.line ?? ""));
        if (line.cells) {
          line.cells.forEach((text, i) => row.append(el("span", { class: line.hit && i === line.col ? "src-cell hit" : "src-cell" }, text)));
        } else row.append(el("span", {}, line.text));
        return row;
      });
      box.replaceChildren(el("h4", {}, "原文位置"), el("div", { class: "source-lines", id: "source-lines" }, ...lines));
    } else if (found.kind === "page") {
      const [x0, y0, x1, y1] = found.bbox;
      const mark = el("div", { class: "bbox" });
      mark.style.left = `${(x0 / found.width) * 100}%`;
      mark.style.top = `${(y0 / found.height) * 100}%`;
      mark.style.width = `${((x1 - x0) / found.width) * 100}%`;
      mark.style.height = `${((y1 - y0) / found.height) * 100}%`;
      const frame = el("div", { class: "page-frame", id: "source-page" }, el("img", { src: found.image, alt: `第 ${found.page} 页` }), mark);
      box.replaceChildren(el("h4", {}, `原件第 ${found.page} 页`), frame);
      frame.scrollTop = Math.max(0, (y0 / found.height) * frame.scrollHeight - 80);
    } else {
      box.replaceChildren(el("p", { class: "muted" }, (found.reason && found.reason.message) || "没有原文位置"));
    }
  }

  document.querySelectorAll("td.cell").forEach((td) => {
    td.addEventListener("click", () => select(td.dataset.key));
    td.addEventListener("keydown", (e) => { if (e.key === "Enter") select(td.dataset.key); });
  });
  document.querySelectorAll("#findings li[data-cells]").forEach((li) => li.addEventListener("click", () => {
    const keys = li.dataset.cells.split(" ").filter(Boolean);
    document.querySelectorAll("td.cell.flag").forEach((td) => td.classList.remove("flag"));
    keys.forEach((k) => document.querySelector(`td.cell[data-key="${CSS.escape(k)}"]`)?.classList.add("flag"));
    if (keys.length) {
      document.querySelector(`td.cell[data-key="${CSS.escape(keys[0])}"]`)?.scrollIntoView({ block: "center" });
      select(keys[0]);
    }
  }));

  document.getElementById("correct-form")?.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!current) return;
    await api("PUT", `/api/reports/${id}/cells/${encodeURIComponent(current)}`, {
      value: document.getElementById("correct-value").value,
      comment: document.getElementById("correct-comment").value || null,
    });
    sessionStorage.setItem("gknb-toast", "已保存更正，检查已重新运行");
    location.reload();
  });

  document.getElementById("review-form")?.addEventListener("submit", async (e) => {
    e.preventDefault();
    await api("POST", `/api/reports/${id}/review`, {
      status: document.getElementById("review-status").value,
      comment: document.getElementById("review-comment").value || null,
    });
    sessionStorage.setItem("gknb-toast", "审核结果已保存");
    location.reload();
  });

  document.querySelectorAll("button.edit-meta").forEach((button) => button.addEventListener("click", () => {
    const dd = button.closest("dd");
    const field = dd.dataset.field;
    const input = el("input", { class: "meta-input", "data-field": field });
    input.value = dd.dataset.value;
    const note = el("input", { class: "meta-comment", placeholder: "说明（可选）" });
    const save = el("button", { class: "primary meta-save", type: "submit" }, "保存");
    const form = el("form", { class: "inline-form" }, input, note, save);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      await api("PUT", `/api/reports/${id}/meta/${field}`, { value: input.value, comment: note.value || null });
      sessionStorage.setItem("gknb-toast", "已保存更正，检查已重新运行");
      location.reload();
    });
    dd.replaceChildren(form);
    input.focus();
  }));
}

/* ---- upload page ---------------------------------------------------------------------- */

const STATUS = { queued: "排队中", stored: "已入库", duplicate: "重复（已有）", failed: "失败", unpacked: "已解压" };

function uploadPage() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const drop = document.getElementById("drop");
  const files = document.getElementById("files");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); files.files = e.dataTransfer.files; });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = new FormData(form);
    document.getElementById("upload-button").disabled = true;
    try {
      const upload = await api("POST", "/api/uploads", body);
      form.reset();
      follow(upload);
    } finally {
      document.getElementById("upload-button").disabled = false;
    }
  });
}

function fileRows(item) {
  const link = item.report_id ? el("a", { href: `/reports/${item.report_id}` }, "查看") : null;
  const why = item.error ? `${item.error.message}（${item.error.message_en}）` : "";
  const rows = [el("tr", { class: `st-${item.status}` }, el("td", {}, item.name), el("td", { class: "status" }, STATUS[item.status] || item.status), el("td", {}, why, link ? " " : "", link))];
  for (const member of item.members || []) rows.push(...fileRows({ ...member, name: `　└ ${member.name}` }));
  return rows;
}

async function follow(upload) {
  document.getElementById("progress").hidden = false;
  const body = document.querySelector("#upload-files tbody");
  for (;;) {
    body.replaceChildren(...upload.files.flatMap(fileRows));
    const done = upload.state === "done";
    const counts = Object.entries(upload.counts).map(([k, v]) => `${STATUS[k] || k} ${v}`).join("，");
    document.getElementById("progress-state").textContent = (done ? "完成：" : "处理中：") + counts;
    document.getElementById("progress").dataset.state = upload.state;
    if (done) break;
    await new Promise((resolve) => setTimeout(resolve, 600));
    upload = await api("GET", `/api/uploads/${upload.id}`);
  }
}

/* ---- dashboard ------------------------------------------------------------------------ */

async function dashboardPage() {
  const root = document.getElementById("charts");
  const data = await api("GET", `/api/dashboard?${root.dataset.query}`);
  const charts = {};
  for (const section of root.querySelectorAll("[data-chart]")) {
    const name = section.dataset.chart;
    const table = data[name];
    section.querySelector("h3").textContent = table.title;
    const chart = echarts.init(section.querySelector(".chart"), null, { renderer: "canvas" });
    chart.setOption(chartOption(name, table));
    charts[name] = chart;
  }
  root.dataset.ready = "1";
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  root.querySelectorAll(".save-png").forEach((button) => button.addEventListener("click", () => {
    const url = charts[button.dataset.chart].getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    const a = el("a", { href: url, download: `${button.dataset.chart}.png` });
    document.body.append(a); a.click(); a.remove();
  }));
}

function chartOption(name, table) {
  const base = { tooltip: { trigger: name === "outcomes" ? "item" : "axis" }, grid: { left: 60, right: 20, top: 40, bottom: 40, containLabel: true },
                 toolbox: { feature: { saveAsImage: { title: "保存图片" }, dataView: { title: "数据", readOnly: true, lang: ["数据", "关闭", "刷新"] } } } };
  const rows = table.rows;
  if (name === "by_year") {
    return { ...base, legend: { top: 0 }, xAxis: { type: "category", data: rows.map((r) => String(r[0])) }, yAxis: { type: "value" },
             series: table.columns.slice(1).map((label, i) => ({ name: label, type: i < 2 ? "bar" : "line", data: rows.map((r) => r[i + 1]) })) };
  }
  if (name === "outcomes") {
    return { ...base, legend: { bottom: 0 }, series: [{ type: "pie", radius: ["35%", "65%"], data: rows.map((r) => ({ name: r[0], value: r[1] })) }] };
  }
  if (name === "agencies") {
    const sorted = [...rows].reverse();
    return { ...base, xAxis: { type: "value" }, yAxis: { type: "category", data: sorted.map((r) => r[0]), axisLabel: { width: 160, overflow: "truncate" } },
             series: [{ name: table.columns[1], type: "bar", data: sorted.map((r) => r[1]) }] };
  }
  return { ...base, xAxis: { type: "category", data: rows.map((r) => r[0]), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
           yAxis: [{ type: "value", name: "报告数" }, { type: "value", name: "差错率", max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } }],
           legend: { top: 0 },
           series: [{ name: "报告数", type: "bar", data: rows.map((r) => r[1]) }, { name: "有错误", type: "bar", data: rows.map((r) => r[2]) },
                    { name: "差错率", type: "line", yAxisIndex: 1, data: rows.map((r) => r[3]) }] };
}

/* ---- users and tokens ----------------------------------------------------------------- */

function usersPage() {
  document.getElementById("user-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await api("POST", "/api/users", {
      name: document.getElementById("new-name").value, password: document.getElementById("new-password").value,
      role: document.getElementById("new-role").value, region: document.getElementById("new-region").value || null,
    });
    location.reload();
  });
  document.querySelectorAll("button.deactivate").forEach((b) => b.addEventListener("click", async () => {
    await api("PATCH", `/api/users/${encodeURIComponent(b.dataset.name)}`, { active: false });
    location.reload();
  }));
}

function accountPage() {
  document.getElementById("token-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const made = await api("POST", "/api/tokens", { name: document.getElementById("token-name").value });
    const box = document.getElementById("new-token");
    box.hidden = false;
    box.textContent = `新令牌（只显示这一次）：${made.token}`;
  });
  document.querySelectorAll("button.revoke").forEach((b) => b.addEventListener("click", async () => {
    await api("DELETE", `/api/tokens/${b.dataset.id}`);
    location.reload();
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  const note = sessionStorage.getItem("gknb-toast");
  if (note) { sessionStorage.removeItem("gknb-toast"); toast(note); }
  const pages = { report: reportPage, upload: uploadPage, dashboard: dashboardPage, users: usersPage, account: accountPage };
  const run = pages[document.body.dataset.page];
  if (run) run();
});
