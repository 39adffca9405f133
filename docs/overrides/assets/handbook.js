/* The handbook's small local script; it loads nothing from anywhere. */

/* The language switcher's links already point at this page in the other language
   (partials/alternate.html). Material would redirect them to the other language's
   home page unless it can read an absolute sitemap, which an offline copy does not
   have; so the browser is left to follow them. */
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[hreflang]") : null;
  if (!link) return;
  /* Anchors (rule ids, headings) are the same in both languages: keep the one being read. */
  const url = new URL(link.getAttribute("href"), location.href);
  url.hash = location.hash;
  link.href = url.href;
  if (!event.metaKey && !event.ctrlKey) event.stopPropagation();
}, true);

/* Collapsed answers and model answers open for printing, and close again afterwards.
   On the print page they are open from the start. */
const opened = [];
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details:not([open])")) {
    details.setAttribute("open", "");
    opened.push(details);
  }
});
window.addEventListener("afterprint", () => {
  while (opened.length) opened.pop().removeAttribute("open");
});
if (document.getElementById("print-site-page")) {
  for (const details of document.querySelectorAll("details")) details.setAttribute("open", "");
  /* Links to the parts the print page leaves out (the rule catalogue, the course handouts) lead
     nowhere on it: keep their words, drop the link. */
  for (const link of document.querySelectorAll('#print-site-page a[href^="#"]')) {
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (id && !document.getElementById(id)) link.replaceWith(...link.childNodes);
  }
}

/* Tables laid out as cards on a phone (.pb-cards): each cell is labelled with its column. */
for (const table of document.querySelectorAll(".pb-cards table")) {
  const head = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => { if (head[i]) cell.dataset.label = head[i]; });
  }
}

/* The course handouts (handout/, trainer/): `?module=<id>` shows, and so prints, one module only. */
const module = new URLSearchParams(location.search).get("module");
const chosen = module && document.querySelector(`.pb-module[data-module="${CSS.escape(module)}"]`);
if (chosen) {
  document.body.classList.add("pb-one-module");
  chosen.classList.add("pb-chosen");
}
