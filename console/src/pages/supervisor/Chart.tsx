import { BarController, BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from "chart.js";
import { Bar } from "react-chartjs-2";
import { useId } from "react";
import { useI18n } from "../../i18n";

// Only what the bar charts use is registered: chart.js is tree-shaken and this chunk stays small.
ChartJS.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = ["#1f5fa8", "#2e8540", "#b35c00", "#7a3e9d", "#b3261e", "#00796b"];

export interface Series {
  label: string;
  values: number[];
}

/**
 * A bar chart (canvas, drawn by chart.js) with the same figures as a table for screen readers and for
 * checking: `data-plotted` holds exactly the series handed to the chart.
 */
export function BarChart({
  id,
  title,
  labels,
  series,
  format = (n) => String(n),
  horizontal = false,
}: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  format?: (n: number) => string;
  horizontal?: boolean;
}) {
  const titleId = useId();
  const { t } = useI18n();
  return (
    <figure
      className="card chart"
      data-testid={`chart-${id}`}
      data-plotted={JSON.stringify({ labels, series })}
      aria-labelledby={titleId}
    >
      <figcaption id={titleId}>
        <h2>{title}</h2>
      </figcaption>
      <div className="chart-canvas">
        <Bar
          role="img"
          aria-label={title}
          data={{
            labels,
            datasets: series.map((s, i) => ({
              label: s.label,
              data: s.values,
              backgroundColor: COLOURS[i % COLOURS.length],
            })),
          }}
          options={{
            indexAxis: horizontal ? "y" : "x",
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            plugins: {
              legend: { position: "bottom" },
              tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format(Number(c.raw))}` } },
            },
          }}
        />
      </div>
      <details>
        <summary>{t("sup.chart.table", { title })}</summary>
        <table>
          <thead>
            <tr>
              <td />
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, row) => (
              <tr key={l}>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td key={s.label} className="num">
                    {format(s.values[row] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
