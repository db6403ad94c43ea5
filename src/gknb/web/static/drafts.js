/* gknb drafting and 备案 (docs/drafting.md): the draft is posted as one types (debounced) and the server
   checks it with the one catalogue; this script only shows what the server answered. Uses api(), el(),
   toast(), guard() and SEVERITY of app.js; text from drafts is only ever set with textContent. */
"use strict";

const DRAFT_DEBOUNCE_MS = 400;

function draftsListPage() {
  const form = document.getElementById("new-draft");
  if (!form) return;
  document.getElementById("new-year").value = new Date().getFullYear() - 1;
  form.addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const created = await api("POST", "/api/drafts", {
      year: Number(document.getElementById("new-year").value),
      from_text: document.getElementById("new-from-text").checked,
    });
    location.href = `/drafts/${created.id}`;
  }));
}

function draftPage() {
  const root = document.getElementById("draft");
  const id = root.dataset.id;
  const editable = root.dataset.editable === "1";
  const office = root.dataset.office === "1";
  let revision = Number(root.dataset.revision);
  let data = null;
  let timer = null;
  let sending = false;
  let again = false;
  let dirty = false;
  let current = null;
  const inputs = [...document.querySelectorAll("input.cell-input")];
  const texts = [...document.querySelectorAll("textarea.section-text")];
  const cellOf = (key) => document.querySelector(`td.cell[data-key="${CSS.escape(key)}"]`);
  const cellComments = {};

  function content() {
    const cells = {};
    const auto = [];
    for (const input of inputs) {
      if (input.dataset.auto === "1") auto.push(input.dataset.key);
      else if (input.value.trim() !== "") cells[input.dataset.key] = input.value.trim();
    }
    const sections = {};
    for (const text of texts) sections[text.dataset.section] = text.value;
    const title = document.getElementById("draft-title");
    return { meta: { title: title ? title.value : null }, sections, cells, auto };
  }

  function show(answer) {
    data = answer;
    revision = answer.revision;
    const byCell = {};
    const bySection = {};
    for (const f of answer.findings) {
      for (const key of f.cells) (byCell[key] = byCell[key] || []).push(f);
    }
    for (const input of inputs) {
      const key = input.dataset.key;
      const td = input.parentElement;
      if (input.dataset.auto === "1" && document.activeElement !== input) input.value = answer.cells[key] || "";
      td.classList.toggle("auto", input.dataset.auto === "1");
      td.classList.remove("sev-error", "sev-warning", "sev-info");
      const found = byCell[key] || [];
      if (found.length) td.classList.add(`sev-${found[0].severity}`);
      td.title = [td.dataset.label, ...found.map((f) => `【${SEVERITY[f.severity]}】${f.message}`)].join("\n");
    }
    const counts = { error: 0, warning: 0, info: 0 };
    for (const f of answer.findings) counts[f.severity] += 1;
    document.getElementById("error-count").textContent = `错误 ${counts.error}`;
    document.getElementById("error-count").classList.toggle("bad", counts.error > 0);
    document.getElementById("warning-count").textContent = `警告 ${counts.warning}`;
    document.getElementById("warning-count").classList.toggle("warn", counts.warning > 0);
    document.getElementById("findings-count").textContent = `（${answer.findings.length}）`;
    const list = document.getElementById("findings");
    list.replaceChildren(...answer.findings.map((f) => finding(f, true)));
    if (!answer.findings.length) list.replaceChildren(el("li", { class: "ok", id: "no-findings" }, "未发现问题。"));
    for (const f of answer.findings) if (!f.cells.length) {
      const section = sectionOf(f);
      if (section) (bySection[section] = bySection[section] || []).push(f);
    }
    document.querySelectorAll("ul.section-findings").forEach((ul) => {
      ul.replaceChildren(...(bySection[ul.dataset.section] || []).map((f) => finding(f, false)));
    });
    markComments(answer);
    for (const change of (answer.published && answer.published.changes) || []) {
      for (const key of change.cells) cellOf(key)?.classList.add("changed");  // changed after approval
    }
    if (current) select(current);
  }

  /* A finding naming no cell belongs beside the section its message names. */
  function sectionOf(f) {
    for (const h2 of document.querySelectorAll(".draft-section h2")) {
      if (f.message.includes(h2.textContent.trim()) || f.message.includes(h2.textContent.trim().slice(2))) {
        return h2.parentElement.dataset.section;
      }
    }
    return null;
  }

  function finding(f, clickable) {
    const item = el("li", { class: `sev-${f.severity}${clickable && f.cells.length ? " clickable" : ""}`, "data-cells": f.cells.join(" ") },
      el("span", { class: `badge sev-${f.severity}` }, SEVERITY[f.severity] || f.severity), el("p", {}, f.message),
      el("details", { class: "internals" }, el("summary", {}, "详情"), el("span", { class: "mono rule" }, f.rule)));
    if (clickable && f.cells.length) item.addEventListener("click", () => {
      const td = cellOf(f.cells[0]);
      if (td) { td.scrollIntoView({ block: "center" }); select(f.cells[0]); }
    });
    return item;
  }

  function markComments(answer) {
    const latest = answer.comments.filter((c) => c.round === answer.round);
    document.querySelectorAll("td.cell.commented, .draft-section.commented").forEach((n) => n.classList.remove("commented"));
    for (const c of answer.status === "returned" ? latest : []) {
      if (c.kind === "cell" && cellOf(c.target)) cellOf(c.target).classList.add("commented");
      if (c.kind === "section") document.querySelector(`.draft-section[data-section="${CSS.escape(c.target)}"]`)?.classList.add("commented");
    }
  }

  function select(key) {
    current = key;
    document.querySelectorAll("td.cell.focus").forEach((td) => td.classList.remove("focus"));
    const td = cellOf(key);
    if (td) td.classList.add("focus");
    document.getElementById("cell-label").textContent = td ? td.dataset.label : key;
    const found = data ? data.findings.filter((f) => f.cells.includes(key)) : [];
    const list = document.getElementById("cell-findings");
    list.replaceChildren(...found.map((f) => finding(f, false)));
    if (data && !found.length) list.replaceChildren(el("li", { class: "ok" }, "该单元格没有发现问题。"));
    const comments = data ? data.comments.filter((c) => c.kind === "cell" && c.target === key) : [];
    document.getElementById("cell-comments").replaceChildren(...comments.map((c) =>
      el("li", {}, `第 ${c.round} 次提交的退回意见（${c.user}）：${c.comment}`)));
    const box = document.getElementById("cell-comment");
    if (box) { box.disabled = false; box.value = cellComments[key] || ""; }
  }

  function schedule() {
    dirty = true;
    root.dataset.saved = "0";
    document.getElementById("save-state").textContent = "正在输入…";
    clearTimeout(timer);
    timer = setTimeout(guard(send), DRAFT_DEBOUNCE_MS);
  }

  async function send() {
    if (sending) { again = true; return; }
    sending = true;
    dirty = false;
    try {
      document.getElementById("save-state").textContent = "正在保存并检查…";
      show(await api("PUT", `/api/drafts/${id}`, { revision, content: content() }));
      if (dirty || again) return;
      const now = new Date();
      const pad = (n) => String(n).padStart(2, "0");
      document.getElementById("save-state").textContent =
        `已保存并检查 ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
      root.dataset.saved = "1";
    } catch (error) {
      document.getElementById("save-state").textContent = "未保存";
      throw error;
    } finally {
      sending = false;
      if (again) { again = false; schedule(); }
    }
  }

  for (const input of inputs) {
    input.addEventListener("focus", () => select(input.dataset.key));
    if (!editable) continue;
    input.addEventListener("input", () => {
      const derivable = input.parentElement.classList.contains("derivable");
      input.dataset.auto = derivable && input.value.trim() === "" ? "1" : "0";
      schedule();
    });
  }
  if (editable) {
    texts.forEach((t) => t.addEventListener("input", schedule));
    document.getElementById("draft-title")?.addEventListener("input", schedule);
  }

  const commentBox = document.getElementById("cell-comment");
  if (commentBox) commentBox.addEventListener("input", () => {
    if (current) cellComments[current] = commentBox.value;
    cellOf(current)?.classList.toggle("commented", commentBox.value.trim() !== "");
  });

  document.getElementById("import-file")?.addEventListener("change", guard(async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    form.append("revision", String(revision));
    await api("POST", `/api/drafts/${id}/import`, form);
    reloadWith(`已导入「${file.name}」`);
  }));
  /* Whatever was typed last, saved before the next step. */
  async function flush() {
    clearTimeout(timer);
    while (sending) await new Promise((done) => setTimeout(done, 50));
    if (dirty) await send();
  }

  document.getElementById("submit-draft")?.addEventListener("click", guard(async () => {
    await flush();
    await api("POST", `/api/drafts/${id}/submit`, {});
    reloadWith("已提交备案");
  }));
  document.getElementById("return-draft")?.addEventListener("click", guard(async () => {
    const sections = {};
    document.querySelectorAll("textarea.comment-section").forEach((t) => { if (t.value.trim()) sections[t.dataset.section] = t.value; });
    const cells = Object.fromEntries(Object.entries(cellComments).filter(([, v]) => v.trim()));
    await api("POST", `/api/drafts/${id}/return`, { comment: document.getElementById("return-comment").value, cells, sections });
    reloadWith("已退回修改");
  }));
  document.getElementById("approve-draft")?.addEventListener("click", guard(async () => {
    await api("POST", `/api/drafts/${id}/approve`, {});
    reloadWith("备案通过");
  }));
  document.getElementById("publish-form")?.addEventListener("submit", guard(async (event) => {
    event.preventDefault();
    const form = new FormData();
    const url = document.getElementById("publish-url").value.trim();
    const file = document.getElementById("publish-file").files[0];
    if (url) form.append("url", url);
    if (file) form.append("file", file);
    const button = document.getElementById("publish-button");
    button.disabled = true;
    try {
      const answer = await api("POST", `/api/drafts/${id}/publish`, form);
      const changes = answer.published.changes.length;
      reloadWith(changes ? `已登记公布：与备案通过稿有 ${changes} 处不同` : "已登记公布：与备案通过稿一致");
    } finally {
      button.disabled = false;
    }
  }));

  for (const link of document.querySelectorAll("#export-docx, #export-pdf")) {
    link.addEventListener("click", guard(async (event) => {
      if (!dirty && !sending) return;  // what is stored is what was typed
      event.preventDefault();
      await flush();
      location.href = link.href;
    }));
  }

  return api("GET", `/api/drafts/${id}`).then((answer) => { show(answer); root.dataset.saved = "1"; });
}

document.addEventListener("DOMContentLoaded", () => {
  const run = { drafts: draftsListPage, draft: draftPage }[document.body.dataset.page];
  if (run) guard(run)();
});
