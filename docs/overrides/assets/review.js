/* The account review page (docs/<lang>/review.md): the form's answers weighed live by the rules in
   review-rules.js, saved to and loaded from an assessments file on the reader's own computer.
   Text from a file is only ever set as text. It loads nothing and sends nothing. */
(() => {
  "use strict";
  const review = window.playbookReview;
  if (!review) return;
  const {model, signals, phases, stages, asked, word, day, unneutralise, parseCell, show, evaluate, readAssessments, writeAssessments, Unreadable} = review;

  const form = document.getElementById("pb-review-form");
  const status = document.getElementById("pb-status");
  const input = (name) => form.elements.namedItem(name);
  const state = {file: null, columns: [], reviews: [], extra: {}};

  /** Today in the reader's own time zone, YYYY-MM-DD. */
  function today() {
    const now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  function el(tag, text, attrs = {}) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = text; // text from a file is only ever text
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  }

  function answerOf(id) {
    const control = input(id);
    return control instanceof RadioNodeList ? control.value : control.value.trim();
  }

  /** The review as the form holds it: the fields and one cell per signal (asked, and those the loaded file had). */
  function current() {
    const fields = Object.fromEntries(model.fields.map((f) => [f, input(f).value.trim()]));
    const cells = {...state.extra};
    for (const id of asked) cells[id] = answerOf(id);
    return {fields, cells};
  }

  function invalidAnswers(cells) {
    const bad = [];
    for (const id of asked) {
      const control = input(id);
      let wrong = false;
      try { parseCell(signals.get(id), cells[id]); } catch { wrong = true; }
      if (!(control instanceof RadioNodeList)) control.setAttribute("aria-invalid", String(wrong));
      if (wrong) bad.push(id);
    }
    return bad;
  }

  function update() {
    const {fields, cells} = current();
    for (const id of asked) if (signals.get(id).type === "date") input(id).max = fields.reviewed_on;
    const bad = invalidAnswers(cells);
    for (const id of bad) cells[id] = ""; // not readable: unknown until corrected (the field says so)
    const result = evaluate(cells, fields.declared_stage, fields.reviewed_on);
    render(result, fields);
    record(fields);
    return result;
  }

  function render(result, fields) {
    const body = document.getElementById("pb-result-body");
    body.replaceChildren();
    const line = el("p", null, {class: "pb-best"});
    line.append(el("strong", word("handbook.review.best_fit")), " ");
    if (result.best) line.append(el("a", phases.get(result.best).name, {href: phases.get(result.best).url}));
    else line.append(el("span", word("handbook.review.no_fit"), {class: "pb-no-fit"}));
    body.append(line);
    if (!result.best) {
      const names = (ids) => ids.map((id) => signals.get(id).name).join(", ");
      if (result.missing.asked.length) body.append(el("p", word("handbook.review.missing_asked", {signals: names(result.missing.asked)}), {class: "pb-missing"}));
      if (result.missing.other.length) body.append(el("p", word("handbook.review.missing_crm", {signals: names(result.missing.other)}), {class: "pb-missing"}));
    }
    const scores = stages.filter((s) => result.fit[s.id][1] > 0).map((s) => word("handbook.review.score", {stage: s.name, met: result.fit[s.id][0], tested: result.fit[s.id][1]}));
    if (scores.length) body.append(el("p", `${word("handbook.review.scores")} ${scores.join(" · ")}`, {class: "pb-scores"}));
    const declared = phases.get(fields.declared_stage);
    if (!declared) {
      body.append(el("p", word("handbook.review.choose_stage")));
      return;
    }
    const box = el("div", null, {class: "pb-verdict"});
    box.append(el("h3", word("handbook.review.verdict")));
    if (declared.kind !== "stage") box.append(el("p", word("handbook.review.ending")));
    else if (result.verdict) {
      const v = result.verdict;
      const p = el("p", null, {class: `pb-finding pb-${v.severity}`, "data-severity": v.severity, "data-direction": v.direction});
      p.append(el("strong", word("handbook.review.severity", {severity: word(`handbook.severity.${v.severity}`)})), " ", v.message, " ");
      p.append(el("a", `(${v.rule})`, {href: v.url}));
      box.append(p, el("p", v.action, {class: "pb-action"}));
    } else box.append(el("p", word(result.best ? "handbook.review.fits" : "handbook.review.no_verdict")));
    body.append(box);
    const unmet = el("div", null, {class: "pb-unmet"});
    unmet.append(el("h3", word("handbook.review.unmet")));
    if (result.unmet.length) {
      const list = el("ul");
      for (const f of result.unmet) {
        const item = el("li", null, {class: `pb-finding pb-${f.severity}`, "data-rule": f.rule});
        item.append(el("strong", word("handbook.review.severity", {severity: word(`handbook.severity.${f.severity}`)})), " ", f.message, " ");
        item.append(el("a", word("handbook.review.advice"), {href: f.url}));
        list.append(item);
      }
      unmet.append(list);
    } else unmet.append(el("p", word("handbook.review.all_met")));
    if (result.notTested.length) unmet.append(el("p", word("handbook.review.not_tested", {n: result.notTested.length}), {class: "pb-not-tested"}));
    body.append(unmet);
  }

  /** The printed record: the account and every question with its answer (the result prints below it). */
  function record(fields) {
    const box = document.getElementById("pb-record");
    box.replaceChildren(el("h2", word("handbook.review.record", {date: today()})));
    const list = el("dl");
    const add = (term, value) => list.append(el("dt", term), el("dd", value || "–"));
    for (const f of model.fields) {
      const value = f === "declared_stage" ? (phases.get(fields[f]) || {}).name : fields[f];
      add(form.querySelector(`label [name="${f}"]`).closest("label").firstChild.textContent, value);
    }
    for (const id of asked) {
      const q = form.querySelector(`.pb-q[data-signal="${id}"]`);
      const control = input(id);
      let value = answerOf(id);
      if (control instanceof RadioNodeList) value = form.querySelector(`input[name="${id}"]:checked`).nextElementSibling.textContent;
      add(q.querySelector(".pb-q-text").textContent, value || word("handbook.review.dont_know"));
    }
    for (const [id, text] of Object.entries(state.extra)) if (text) add(signals.get(id).name, show(id, parseCell(signals.get(id), text)));
    box.append(list);
  }

  /** Put one review into the form. */
  function fill(review) {
    for (const f of model.fields) input(f).value = review.fields[f] || "";
    state.extra = {};
    for (const id of state.columns) if (!asked.includes(id)) state.extra[id] = review.cells[id] ?? "";
    for (const id of asked) {
      const signal = signals.get(id), text = review.cells[id] ?? "", control = input(id);
      const q = form.querySelector(`.pb-q[data-signal="${id}"]`);
      q.querySelectorAll(".pb-file-option").forEach((node) => node.remove());
      if (!(control instanceof RadioNodeList)) {
        control.value = signal.type === "date" || signal.type === "count" ? unneutralise(text) : text;
        continue;
      }
      const value = parseCell(signal, text);
      const radios = [...q.querySelectorAll('input[type="radio"]')];
      let match = Number.isNaN(value) ? radios.find((r) => r.value === "") : radios.find((r) => r.value !== "" && parseCell(signal, r.value) === value);
      if (!match) { // a value the ranges do not offer (another tool wrote it): kept as it is, never rounded to an option
        const option = el("label", null, {class: "pb-option pb-file-option"});
        match = el("input", null, {type: "radio", name: id, value: unneutralise(text)});
        option.append(match, el("span", word("handbook.review.file_value", {value: show(id, value)})));
        radios[radios.length - 1].closest("label").before(option);
      }
      match.checked = true;
    }
    const extra = document.getElementById("pb-from-file");
    extra.replaceChildren();
    const shown = Object.entries(state.extra).filter(([, text]) => text);
    extra.hidden = !shown.length;
    if (shown.length) {
      extra.append(el("p", word("handbook.review.from_file")));
      const list = el("ul");
      for (const [id, text] of shown) list.append(el("li", `${signals.get(id).name}: ${show(id, parseCell(signals.get(id), text))}`));
      extra.append(list);
    }
    update();
  }

  function newest(reviews) {
    return [...reviews].sort((a, b) => b.fields.reviewed_on.localeCompare(a.fields.reviewed_on) || b.line - a.line);
  }

  function chooseAccount(id) {
    const reviews = newest(state.reviews.filter((r) => r.fields.account_id === id));
    const select = document.getElementById("pb-file-review");
    select.replaceChildren(...reviews.map((r, k) => el("option", [r.fields.reviewed_on, r.fields.reviewer].filter(Boolean).join(" · "), {value: String(state.reviews.indexOf(r)), ...(k ? {} : {selected: ""})})));
    if (reviews.length) fill(reviews[0]);
  }

  function showFile() {
    const accounts = [...new Map(state.reviews.map((r) => [r.fields.account_id, r.fields.account_name])).entries()];
    const select = document.getElementById("pb-file-account");
    select.replaceChildren(...accounts.map(([id, name]) => el("option", name ? `${name} (${id})` : id, {value: id})));
    document.getElementById("pb-file").hidden = false;
    return accounts.length;
  }

  async function load(file) {
    try {
      const read = readAssessments(await file.arrayBuffer());
      state.file = file.name;
      state.columns = read.columns;
      state.reviews = read.reviews;
      const accounts = showFile();
      chooseAccount(state.reviews[0].fields.account_id);
      status.textContent = word("handbook.review.loaded", {rows: state.reviews.length, accounts, file: file.name});
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      status.textContent = word("handbook.review.error", {file: file.name, reason: error.message});
    }
  }

  function save() {
    const review = current();
    const bad = invalidAnswers(review.cells);
    const needed = ["account_id", "reviewer", "reviewed_on"].filter((f) => !review.fields[f] || (f === "reviewed_on" && Number.isNaN(day(review.fields[f]))));
    if (needed.length || bad.length) {
      const names = [...needed.map((f) => input(f).closest("label").firstChild.textContent), ...bad.map((id) => signals.get(id).name)];
      status.textContent = word("handbook.review.save_needs", {fields: names.join(", ")});
      return null;
    }
    const late = asked.find((id) => signals.get(id).type === "date" && review.cells[id] && day(review.cells[id]) > day(review.fields.reviewed_on));
    if (late) {
      status.textContent = word("handbook.review.date_after_review", {signal: signals.get(late).name});
      return null;
    }
    const same = (r) => r.fields.account_id === review.fields.account_id && r.fields.reviewed_on === review.fields.reviewed_on;
    const at = state.reviews.findIndex(same);
    const reviews = at >= 0 ? state.reviews.map((r, k) => (k === at ? {...review, line: r.line} : r)) : [...state.reviews, {...review, line: Infinity}];
    const columns = model.signals.map((s) => s.id).filter((id) => asked.includes(id) || state.columns.includes(id));
    const text = writeAssessments(columns, reviews);
    const name = state.file || `assessments-${review.fields.reviewed_on}.csv`;
    const link = el("a", null, {href: URL.createObjectURL(new Blob([text], {type: "text/csv;charset=utf-8"})), download: name});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    state.reviews = reviews;
    state.columns = columns;
    state.file = name;
    const accounts = showFile();
    document.getElementById("pb-file-account").value = review.fields.account_id;
    status.textContent = word("handbook.review.saved", {file: name, rows: reviews.length, accounts});
    return text;
  }

  function next() {
    for (const f of ["account_id", "account_name", "declared_stage"]) input(f).value = "";
    state.extra = {};
    document.getElementById("pb-from-file").hidden = true;
    for (const id of asked) {
      const control = input(id);
      if (control instanceof RadioNodeList) form.querySelector(`input[name="${id}"][value=""]`).checked = true;
      else control.value = "";
      form.querySelectorAll(`.pb-q[data-signal="${id}"] .pb-file-option`).forEach((node) => node.remove());
    }
    status.textContent = "";
    update();
    input("account_id").focus();
  }

  if (!input("reviewed_on").value) input("reviewed_on").value = today();
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("pb-save").addEventListener("click", save);
  document.getElementById("pb-print").addEventListener("click", () => { update(); window.print(); });
  document.getElementById("pb-new").addEventListener("click", next);
  document.getElementById("pb-load").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) load(file).finally(() => { event.target.value = ""; });
  });
  document.getElementById("pb-load-label").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); document.getElementById("pb-load").click(); }
  });
  document.getElementById("pb-file-account").addEventListener("change", (event) => chooseAccount(event.target.value));
  document.getElementById("pb-file-review").addEventListener("change", (event) => fill(state.reviews[Number(event.target.value)]));
  window.addEventListener("beforeprint", update);
  Object.assign(review, {save, load, next, update});
  document.getElementById("pb-review").classList.add("pb-live");
  update();
})();
