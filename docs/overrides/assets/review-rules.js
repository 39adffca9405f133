/* The account review's rules and file, for the page (review.js): the evaluator does what
   checker/evaluate.py does (rule_codes, fit_table, the verdict ladder, the findings' words) on the
   model the build puts in the page (checker/handbook/review.py, from the playbook), with no number
   or word of its own; tests/handbook/test_review_browser.py runs both on the same generated answers.
   The assessments file is read and written here too. It loads nothing and sends nothing. */
(() => {
  "use strict";
  const holder = document.getElementById("pb-review-model");
  if (!holder) return;
  const model = JSON.parse(holder.textContent);

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

    const declaredOn = raw(model.verdict.declared_on); // the day the stage was declared; NaN when unknown
    const nearLine = new Set(); // the rules this account misses by at most the playbook's margin (checker/near.py)
    const band = model.near_line, canBeNear = new Set(band ? band.rules : []);
    function code(rule) { // rule_codes
      let result;
      // since_declared: only what came after the declaration counts, where its day is known.
      const since = rule.since_declared && !Number.isNaN(declaredOn);
      if (rule.op === "recorded") {
        result = !values.has(rule.signal) ? UNKNOWN : Number.isNaN(raw(rule.signal)) ? FAIL : PASS;
      } else {
        let seen = observed(rule.signal);
        if (since && raw(rule.signal) <= declaredOn) seen = Infinity; // a date on or before the declaration is none since
        let threshold = rule.value, unknown = Number.isNaN(seen);
        if (rule.relative_to) {
          threshold = rule.value * raw(rule.relative_to);
          unknown = unknown || Number.isNaN(raw(rule.relative_to));
        }
        result = unknown ? UNKNOWN : OPS[rule.op](seen, threshold) ? PASS : FAIL;
        if (result === FAIL && canBeNear.has(rule.id) && threshold !== 0
            && Math.abs(seen - threshold) <= (band.margin + band.rounding) * Math.abs(threshold)) nearLine.add(rule.id);
      }
      const tested = result;
      for (const cond of [...rule.when].reverse()) { // the first precondition decides last
        const seen = observed(cond.signal);
        result = Number.isNaN(seen) ? UNKNOWN : OPS[cond.op](seen, cond.value) ? result : SKIPPED;
      }
      if (since && rule.when.length) result = tested; // `when` is a grace for not knowing the date
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
    // A stage declared within the grace period gets the verdict at most as info (an unknown day: never).
    const recent = model.verdict.grace_days != null && today - declaredOn <= model.verdict.grace_days;
    if (d >= 0 && best >= 0 && best !== d) result.verdict = verdict(d, best, fit, codes, recent);
    for (const rule of model.rules) {
      if (!rule.applies_to.includes(declared)) continue;
      const c = codes.get(rule.id);
      if (c === FAIL) result.unmet.push(finding(rule, raw, today, nearLine.has(rule.id)));
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
  function verdict(d, b, fit, codes, recent) {
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
      rule: spec.id, severity: recent ? "info" : spec.ladder[rung].severity, direction, distance, url: spec.url,
      message: fill(spec.message[direction], {...names, declared_fit: `${own.met}/${own.tested}`, best_fit: `${other.met}/${other.tested}`,
        distance: spec.distance_words[Math.min(distance, spec.distance_words.length) - 1]}),
      action: fill(spec.action[direction], {...names, develop: develop || spec.develop_fallback}),
    };
  }

  /** A failed rule's finding in words (Evaluator._finding, expected); `near`: missed by the margin, one severity lower. */
  function finding(rule, raw, today, near) {
    let observed = rule.op === "recorded" ? word("check.not_recorded") : show(rule.signal, raw(rule.signal));
    if (rule.relative_to) observed += ` (${signals.get(rule.relative_to).name}: ${show(rule.relative_to, raw(rule.relative_to))})`;
    const expected = "text" in rule.expected ? rule.expected.text : rule.expected.date.replace("{date}", isoDay(today - rule.expected.days));
    const key = rule.direction ? `check.finding_${rule.direction}` : "check.finding";
    const message = word(key, {title: rule.title, observed, expected});
    return near ? {rule: rule.id, severity: model.near_line.lower[rule.severity], near: true, url: rule.url, message: `${message} ${model.near_line.note}`}
      : {rule: rule.id, severity: rule.severity, near: false, url: rule.url, message};
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

  window.playbookReview = {model, signals, phases, stages, asked, word, day, unneutralise, parseCell, show, evaluate,
    parseCsv, readAssessments, writeAssessments, Unreadable};
})();
