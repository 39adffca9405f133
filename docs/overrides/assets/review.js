/* The account review page (docs/<lang>/review.md): the answers weighed live, saved to and loaded
   from an assessments file on the reader's own computer. It loads nothing and sends nothing.

   Every number and word comes from the model the build puts in the page
   (checker/handbook/review.py, from the playbook): the evaluator below does what
   checker/evaluate.py does (rule_codes, fit_table, the verdict ladder, the findings' words),
   and tests/handbook/test_review_browser.py runs both on the same generated answers. */
(() => {
  "use strict";
  const holder = document.getElementById("pb-review-model");
  if (!holder) return;
  const model = JSON.parse(holder.textContent);

  // ---- the evaluator: checker/evaluate.py in the browser -------------------------------------

  const PASS = 0, FAIL = 1, UNKNOWN = 2, SKIPPED = 3;
  const OPS = {">=": (a, b) => a >= b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, "<": (a, b) => a < b, "==": (a, b) => a === b, "!=": (a, b) => a !== b};
  const signals = new Map(model.signals.map((s) => [s.id, s]));
  const phases = new Map(model.phases.map((p) => [p.id, p]));
  const stages = model.phases.filter((p) => p.kind === "stage");
  const stageRules = stages.map((s) => model.rules.filter((r) => r.kind === "stage-mismatch" && r.owner === s.id));
  const asked = model.signals.filter((s) => s.asked).map((s) => s.id);

  /** A message of the playbook's (playbooks/messages), filled in; plural forms chosen by `n` as messages.fill does. */
  function word(key, values = {}) {
    let text = model.words[key];
    if (text && typeof text === "object") text = text[values.n === 1 || values.n === "1" ? "one" : "other"];
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  /** `YYYY-MM-DD` as a day number (days since 1970-01-01), NaN when it is no real date. */
  function day(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return NaN;
    const [year, month, date] = match.slice(1).map(Number);
    const when = new Date(Date.UTC(year, month - 1, date));
    return when.getUTCFullYear() === year && when.getUTCMonth() === month - 1 && when.getUTCDate() === date ? when.getTime() / 86400000 : NaN;
  }
  const isoDay = (n) => new Date(n * 86400000).toISOString().slice(0, 10);

  class BadCell extends Error {
    constructor(expected) { super(expected); this.expected = expected; }
  }
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

  /** A spreadsheet's text marker undone: the `'` a neutralised cell got on Save (checker/reports/csv.py `neutralise`). */
  const unneutralise = (text) => (text.length > 1 && text[0] === "'" && "=+-@\t\r".includes(text[1]) ? text.slice(1) : text);

  /** A cell as the canonical export writes it, as the number the checker's columns hold (NaN: unknown). */
  function parseCell(signal, text) {
    const raw = unneutralise(String(text).trim());
    if (raw === "") return NaN;
    switch (signal.type) {
      case "boolean":
        if (raw === "yes" || raw === "no") return raw === "yes" ? 1 : 0;
        throw new BadCell(word("handbook.review.expect.boolean"));
      case "count":
        if (/^\d+$/.test(raw)) return Number(raw);
        throw new BadCell(word("handbook.review.expect.count"));
      case "share":
        if (NUMBER.test(raw) && Number(raw) >= 0 && Number(raw) <= 1) return Number(raw);
        throw new BadCell(word("handbook.review.expect.share"));
      case "date":
        if (!Number.isNaN(day(raw))) return day(raw);
        throw new BadCell(word("handbook.review.expect.date"));
      case "category": {
        const index = signal.values.indexOf(raw);
        if (index >= 0) return index;
        throw new BadCell(word("handbook.review.expect.category", {values: signal.values.join(", ")}));
      }
      default:
        if (NUMBER.test(raw) && !(signal.type === "days" && Number(raw) < 0)) return Number(raw);
        throw new BadCell(word("handbook.review.expect.number"));
    }
  }

  /** A value as a person reads it (Evaluator.show). */
  function show(id, value) {
    const signal = signals.get(id);
    if (Number.isNaN(value)) return word("check.unknown");
    if (signal.type === "boolean") return word(value ? "check.yes" : "check.no");
    if (signal.type === "share") {
      const x = value * 100;
      let whole = Number(x.toFixed(0));
      if (Math.abs(x - Math.trunc(x)) === 0.5 && whole % 2 !== 0) whole -= 1; // Python rounds a half to even
      return `${whole} %`;
    }
    if (signal.type === "date") return isoDay(value);
    if (signal.type === "category") return signal.values[value];
    return signal.unit ? `${value} ${word(`unit.${signal.unit}`, {n: value})}` : String(value);
  }

  /** The verdict, findings and fit of one account: `cells` {signal id: text}, the declared stage or ending id, the review date. */
  function evaluate(cells, declared, asOf) {
    const values = new Map();
    for (const [id, text] of Object.entries(cells)) if (signals.has(id)) values.set(id, parseCell(signals.get(id), text));
    const today = day(asOf);
    const raw = (id) => (values.has(id) ? values.get(id) : NaN);
    const observed = (id) => (signals.get(id).type === "date" ? today - raw(id) : raw(id)); // a date: days since it

    function code(rule) { // rule_codes
      let result;
      if (rule.op === "recorded") {
        result = !values.has(rule.signal) ? UNKNOWN : Number.isNaN(raw(rule.signal)) ? FAIL : PASS;
      } else {
        const seen = observed(rule.signal);
        let threshold = rule.value, unknown = Number.isNaN(seen);
        if (rule.relative_to) {
          threshold = rule.value * raw(rule.relative_to);
          unknown = unknown || Number.isNaN(raw(rule.relative_to));
        }
        result = unknown ? UNKNOWN : OPS[rule.op](seen, threshold) ? PASS : FAIL;
      }
      for (const cond of [...rule.when].reverse()) { // the first precondition decides last
        const seen = observed(cond.signal);
        result = Number.isNaN(seen) ? UNKNOWN : OPS[cond.op](seen, cond.value) ? result : SKIPPED;
      }
      return result;
    }
    const codes = new Map(model.rules.map((rule) => [rule.id, code(rule)]));

    // fit_table: per stage, expectations met and tested, and the "at least" ones among them.
    const fit = stageRules.map((rules) => {
      const score = {met: 0, tested: 0, shown: 0};
      for (const rule of rules) {
        const c = codes.get(rule.id);
        score.met += c === PASS;
        score.tested += c <= FAIL;
        score.shown += rule.evidence && c === PASS;
      }
      return score;
    });
    const declaredPhase = phases.get(declared);
    const anchor = declaredPhase && declaredPhase.kind === "stage" ? declaredPhase.order : 0;
    const settings = model.best_fit;
    let best = -1;
    fit.forEach((score, k) => {
      if (!(score.tested >= settings.min_evaluated && score.shown >= settings.min_evidence)) return;
      if (best < 0) { best = k; return; }
      const mine = score.met / score.tested, theirs = fit[best].met / fit[best].tested;
      const near = Math.abs(stages[k].order - anchor), far = Math.abs(stages[best].order - anchor);
      // Higher score; then the stage nearest the declared one; then the earlier stage.
      if (mine > theirs || (mine === theirs && (near < far || (near === far && stages[k].order < stages[best].order)))) best = k;
    });

    const result = {
      best: best >= 0 ? stages[best].id : null,
      fit: Object.fromEntries(stages.map((s, k) => [s.id, [fit[k].met, fit[k].tested]])),
      verdict: null, unmet: [], notTested: [], missing: {asked: [], other: []},
    };
    const d = stages.findIndex((s) => s.id === declared);
    if (d >= 0 && best >= 0 && best !== d) result.verdict = verdict(d, best, fit, codes);
    for (const rule of model.rules) {
      if (!rule.applies_to.includes(declared)) continue;
      const c = codes.get(rule.id);
      if (c === FAIL) result.unmet.push(finding(rule, raw, today));
      else if (c === UNKNOWN) result.notTested.push(rule.id);
    }
    if (best < 0) { // what would let a stage be scored: the unknown signals the stages' expectations read
      const unknown = new Set(stageRules.flat().flatMap((r) => [r.signal, r.relative_to, ...r.when.map((c) => c.signal)])
        .filter((id) => id && Number.isNaN(raw(id))));
      for (const s of model.signals) if (unknown.has(s.id)) result.missing[s.asked ? "asked" : "other"].push(s.id);
    }
    return result;
  }

  /** The account-level verdict (Evaluator._verdicts, _verdict): severity by the manifest's ladder, direction, words. */
  function verdict(d, b, fit, codes) {
    const spec = model.verdict, own = fit[d], other = fit[b];
    const distance = Math.abs(b - d);
    const margin = own.tested >= model.best_fit.min_evaluated ? other.met / other.tested - own.met / own.tested : NaN;
    const rung = spec.ladder.findIndex((step) => distance >= step.distance && (!("margin" in step) || margin >= step.margin));
    if (rung < 0) return null;
    const direction = b < d ? "behind" : "ahead";
    const names = {declared: stages[d].name, best: stages[b].name};
    const develop = direction === "behind"
      ? stageRules[d].filter((r) => r.evidence && codes.get(r.id) === FAIL).map((r) => r.title).join("; ") : "";
    const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
    return {
      rule: spec.id, severity: spec.ladder[rung].severity, direction, distance, url: spec.url,
      message: fill(spec.message[direction], {...names, declared_fit: `${own.met}/${own.tested}`, best_fit: `${other.met}/${other.tested}`,
        distance: spec.distance_words[Math.min(distance, spec.distance_words.length) - 1]}),
      action: fill(spec.action[direction], {...names, develop: develop || spec.develop_fallback}),
    };
  }

  /** A failed rule's finding in words (Evaluator._finding, expected). */
  function finding(rule, raw, today) {
    let observed = rule.op === "recorded" ? word("check.not_recorded") : show(rule.signal, raw(rule.signal));
    if (rule.relative_to) observed += ` (${signals.get(rule.relative_to).name}: ${show(rule.relative_to, raw(rule.relative_to))})`;
    const expected = "text" in rule.expected ? rule.expected.text : rule.expected.date.replace("{date}", isoDay(today - rule.expected.days));
    const key = rule.direction ? `check.finding_${rule.direction}` : "check.finding";
    return {rule: rule.id, severity: rule.severity, url: rule.url, message: word(key, {title: rule.title, observed, expected})};
  }

  // ---- the assessments file: CSV, UTF-8, a header and one row per account per review ----------

  class Unreadable extends Error {}

  /** RFC 4180 CSV: rows of cells, with the line each row starts on. A header with more `;` than `,`
      (a spreadsheet saved in a Finnish locale) is read with `;` between cells. */
  function parseCsv(text) {
    const first = text.split(/\r?\n/, 1)[0];
    const sep = (first.match(/;/g) || []).length > (first.match(/,/g) || []).length ? ";" : ",";
    const rows = [];
    let row = [], cellText = "", quoted = false, line = 1, start = 1, i = 0;
    const end = () => { row.push(cellText); cellText = ""; };
    for (; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cellText += '"'; i++; }
        else if (ch === '"') quoted = false;
        else { if (ch === "\n") line++; cellText += ch; }
      } else if (ch === '"' && cellText === "") quoted = true;
      else if (ch === sep) end();
      else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        end(); rows.push({line: start, cells: row}); row = []; line++; start = line;
      } else cellText += ch;
    }
    if (quoted) throw new Unreadable(word("handbook.review.error.quote", {line: start}));
    if (cellText !== "" || row.length) { end(); rows.push({line: start, cells: row}); }
    return rows.filter((r) => !(r.cells.length === 1 && r.cells[0] === "")); // blank lines hold no row
  }

  /** The reviews in an assessments file, every cell checked; Unreadable (in the page's language) otherwise. */
  function readAssessments(bytes) {
    let text;
    try {
      text = new TextDecoder("utf-8", {fatal: true}).decode(bytes);
    } catch {
      throw new Unreadable(word("handbook.review.error.encoding"));
    }
    const rows = parseCsv(text.replace(/^\ufeff/, ""));
    if (rows.length < 2) throw new Unreadable(word("handbook.review.error.empty"));
    const header = rows[0].cells.map((h) => unneutralise(h.trim()));
    const seen = new Set();
    for (const column of header) {
      if (seen.has(column)) throw new Unreadable(word("handbook.review.error.duplicate_column", {column}));
      seen.add(column);
      if (!model.fields.includes(column) && !signals.has(column)) throw new Unreadable(word("handbook.review.error.unknown_column", {column}));
    }
    const missing = model.fields.filter((f) => !seen.has(f));
    if (missing.length) throw new Unreadable(word("handbook.review.error.missing", {columns: missing.join(", ")}));
    const reviews = rows.slice(1).map(({line, cells}) => {
      if (cells.length !== header.length) throw new Unreadable(word("handbook.review.error.cells", {line, n: cells.length, header: header.length}));
      const review = {line, fields: {}, cells: {}};
      header.forEach((column, k) => {
        const text = unneutralise(cells[k]);
        if (model.fields.includes(column)) review.fields[column] = text.trim();
        else {
          try {
            parseCell(signals.get(column), text);
          } catch (error) {
            if (!(error instanceof BadCell)) throw error;
            throw new Unreadable(word("handbook.review.error.value", {line, column, value: JSON.stringify(text), expected: error.expected}));
          }
          review.cells[column] = text.trim();
        }
      });
      const f = review.fields;
      if (!f.account_id) throw new Unreadable(word("handbook.review.error.no_id", {line}));
      if (Number.isNaN(day(f.reviewed_on))) {
        throw new Unreadable(word("handbook.review.error.value", {line, column: "reviewed_on", value: JSON.stringify(f.reviewed_on), expected: word("handbook.review.expect.date")}));
      }
      if (f.declared_stage && !phases.has(f.declared_stage)) throw new Unreadable(word("handbook.review.error.stage", {line, value: JSON.stringify(f.declared_stage)}));
      return review;
    });
    return {columns: header.filter((c) => signals.has(c)), reviews};
  }

  /** A cell safe to open in a spreadsheet (checker/reports/csv.py `neutralise`), quoted as CSV needs. */
  function csvCell(value) {
    let text = value == null ? "" : String(value);
    if ("=+-@\t\r".includes(text[0] || "x")) text = "'" + text;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function writeAssessments(columns, reviews) {
    const header = [...model.fields, ...columns];
    const lines = [header, ...reviews.map((r) => header.map((c) => (c in r.fields ? r.fields[c] : r.cells[c] ?? "")))];
    return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
  }

  window.playbookReview = {model, evaluate, parseCsv, readAssessments, writeAssessments};

  // ---- the page -----------------------------------------------------------------------------

  const form = document.getElementById("pb-review-form");
  const status = document.getElementById("pb-status");
  const input = (name) => form.elements.namedItem(name);
  const state = {file: null, columns: [], reviews: [], extra: {}};

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
    box.replaceChildren(el("h2", word("handbook.review.record", {date: new Date().toISOString().slice(0, 10)})));
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

  if (!input("reviewed_on").value) {
    const now = new Date();
    input("reviewed_on").value = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10); // today, the reader's own day
  }
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
  Object.assign(window.playbookReview, {save, load, next, update});
  update();
})();
