/** One measure drawn in a chart; `tone` picks its colour from the stylesheet (chart-tone-<tone>). */
export interface ChartSeries {
  label: string
  tone: 'navy' | 'sky' | 'green' | 'amber'
}

export interface ChartRow {
  label: string
  /** One value per series; null draws no bar. */
  values: Array<number | null>
}

interface BarChartProps {
  title: string
  series: ChartSeries[]
  rows: ChartRow[]
  format: (value: number) => string
  /** The scale's end; defaults to a round number at or above the largest value. */
  max?: number
  /** Counts: grid lines on whole numbers only. */
  integer?: boolean
  /**
   * Draw the series on top of each other in one band (the first widest,
   * e.g. p90 behind the median) instead of side by side.
   */
  overlay?: boolean
  testId?: string
}

const WIDTH = 520
const LABEL_W = 104
const VALUE_W = 92
const BAR_W = WIDTH - LABEL_W - VALUE_W
const TOP = 8
const AXIS_H = 22
const BAR_H = 13
const GAP = 10

/** Cuts a label to what fits beside the bars; the full label is in the table below. */
const shorten = (label: string, max = 7): string =>
  label.length > max ? `${label.slice(0, max - 1)}…` : label

/** The smallest of 1, 2 or 5 times a power of ten that is at least `value`. */
function niceStep(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5]) if (step * power >= value) return step * power
  return 10 * power
}

/**
 * Grid lines for a scale from 0: about four round steps up to at least the
 * largest value; whole steps for counts; quarters of a fixed end.
 */
export function scaleTicks(largest: number, options: { max?: number; integer?: boolean } = {}): number[] {
  if (options.max !== undefined) return [0, 0.25, 0.5, 0.75, 1].map((f) => f * (options.max ?? 1))
  const raw = Math.max(largest, 0) / 4 || 0.25
  const step = options.integer ? Math.max(1, niceStep(raw)) : niceStep(raw)
  const end = Math.max(step, Math.ceil(largest / step - 1e-9) * step)
  const ticks: number[] = []
  for (let i = 0; i * step <= end + 1e-9; i++) ticks.push(Math.round(i * step * 1e6) / 1e6)
  return ticks
}

/**
 * Horizontal bars drawn by hand in SVG (no chart library, nothing fetched):
 * labels on the left, values at the end of each row, quarter grid lines with
 * their figures underneath. The SVG scales to its container through its
 * viewBox; screen readers get the title, and the table beside it has the figures.
 */
export function BarChart(props: BarChartProps) {
  const { title, series, rows, format, overlay = false, testId } = props
  const largest = Math.max(0, ...rows.flatMap((r) => r.values.map((v) => v ?? 0)))
  const ticks = scaleTicks(largest, { max: props.max, integer: props.integer })
  const end = ticks.at(-1) ?? 1
  const perRow = overlay ? 1 : series.length
  const band = perRow * BAR_H + (perRow - 1) * 2 + GAP
  const height = TOP + rows.length * band + AXIS_H
  const x = (value: number) => LABEL_W + (Math.min(value, end) / end) * BAR_W
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption class="chart-title">{title}</figcaption>
      <ul class="chart-legend">
        {series.map((s) => (
          <li key={s.label}>
            <span class={`chart-swatch chart-tone-${s.tone}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
      <svg
        class="chart-svg"
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={title}
        preserveAspectRatio="xMinYMin meet"
      >
        {ticks.map((tick) => (
          <g key={tick} class="chart-grid">
            <line x1={x(tick)} x2={x(tick)} y1={TOP - 4} y2={height - AXIS_H + 2} />
            <text x={x(tick)} y={height - 6} text-anchor="middle">
              {format(tick)}
            </text>
          </g>
        ))}
        {rows.map((row, i) => {
          const y0 = TOP + i * band
          const mid = y0 + (band - GAP) / 2
          const shown = row.values.map((v) => (v === null ? '—' : format(v)))
          return (
            <g key={`${row.label}-${i}`} class="chart-row" data-label={row.label}>
              <text class="chart-label" x={LABEL_W - 8} y={mid + 4} text-anchor="end">
                <title>{row.label}</title>
                {shorten(row.label)}
              </text>
              {row.values.map((value, s) => {
                if (value === null) return null
                const y = overlay ? y0 : y0 + s * (BAR_H + 2)
                // In an overlay each later series is drawn narrower, so both stay visible.
                const inset = overlay ? s * 3 : 0
                return (
                  <rect
                    key={series[s]?.label ?? s}
                    class={`chart-bar chart-tone-${series[s]?.tone ?? 'navy'}`}
                    data-series={series[s]?.label}
                    data-value={value}
                    x={LABEL_W}
                    y={y + inset}
                    width={Math.max(value > 0 ? 1.5 : 0, x(value) - LABEL_W)}
                    height={BAR_H - 2 * inset}
                    rx={2}
                  />
                )
              })}
              <text class="chart-value" x={WIDTH - VALUE_W + 8} y={mid + 4}>
                {overlay ? shown.join(' / ') : shown.join(' · ')}
              </text>
            </g>
          )
        })}
      </svg>
    </figure>
  )
}
