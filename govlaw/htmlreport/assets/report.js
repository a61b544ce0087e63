// govlaw HTML report: filters for the coverage tables. Each <form class="filters"
// data-table="ID"> hides the rows of table#ID whose data-province / data-level
// differ from the chosen values, and says how many rows are shown.
"use strict";

function applyFilters(form) {
  const table = document.getElementById(form.dataset.table);
  if (!table) return;
  const wanted = {};
  for (const select of form.querySelectorAll("select")) {
    if (select.value) wanted[select.name] = select.value;
  }
  let shown = 0;
  const rows = table.tBodies[0].rows;
  for (const row of rows) {
    const keep = Object.entries(wanted).every(([name, value]) => row.dataset[name] === value);
    row.classList.toggle("hidden", !keep);
    if (keep) shown += 1;
  }
  const output = form.querySelector("output.shown");
  if (output) output.textContent = `${shown} of ${rows.length} rows shown`;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.filters")) {
    form.addEventListener("change", () => applyFilters(form));
    form.addEventListener("submit", (event) => event.preventDefault());
    applyFilters(form);
  }
});
