import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleOrdinal, scaleTime } from '@visx/scale';
import { Bar } from '@visx/shape';
import type { AuditAccessIntervals } from '../../api/answers';
import { formatTime } from '../../ui/time';

const WIDTH = 900;
const ROW = 34;
const MARGIN = { top: 10, right: 20, bottom: 40, left: 170 };
/** Colours with at least 3:1 contrast on white, told apart also by the legend and the table below. */
const COLOURS = ['#0b5cad', '#b3261e', '#1e7b34', '#8a4baf', '#a15c00', '#00708a'];

/**
 * Each user's access to the dataset over the range, one row per user and permission (visx: SVG
 * drawn from scales). Each bar has a title, and the figure is described for screen readers.
 */
export function AccessTimeline({ data }: { data: AuditAccessIntervals }) {
  const rows = [...new Set(data.intervals.map((interval) => `${interval.name ?? interval.userId} · ${interval.permission}`))];
  const permissions = [...new Set(data.intervals.map((interval) => interval.permission))].sort();
  const height = MARGIN.top + MARGIN.bottom + Math.max(rows.length, 1) * ROW;
  const x = scaleTime({ domain: [new Date(data.from), new Date(data.to)], range: [0, WIDTH - MARGIN.left - MARGIN.right] });
  const y = scaleBand({ domain: rows, range: [0, rows.length * ROW], padding: 0.25 });
  const colour = scaleOrdinal({ domain: permissions, range: COLOURS });
  return (
    <figure className="timeline">
      <svg
        className="timeline-chart"
        width={WIDTH}
        height={height}
        role="img"
        aria-label={`Access to ${data.dataset.name} from ${formatTime(data.from)} to ${formatTime(data.to)}: ${rows.length} users and permissions, in the table below`}
      >
        <Group left={MARGIN.left} top={MARGIN.top}>
          {data.intervals.map((interval) => {
            const row = `${interval.name ?? interval.userId} · ${interval.permission}`;
            const start = x(new Date(interval.from));
            const end = x(new Date(interval.to));
            return (
              <Bar
                key={`${row}-${interval.from}`}
                className="timeline-bar"
                x={start}
                y={y(row) ?? 0}
                width={Math.max(end - start, 2)}
                height={y.bandwidth()}
                fill={colour(interval.permission)}
                rx={3}
              >
                <title>{`${row}: ${formatTime(interval.from)} – ${formatTime(interval.to)}`}</title>
              </Bar>
            );
          })}
          <AxisLeft scale={y} hideTicks tickLabelProps={{ fontSize: 12, textAnchor: 'end', dx: -4, dy: 4 }} />
          <AxisBottom top={rows.length * ROW} scale={x} numTicks={6} tickLabelProps={{ fontSize: 12, textAnchor: 'middle' }} />
        </Group>
      </svg>
      <figcaption className="legend">
        {permissions.map((permission) => (
          <span key={permission} className="legend-item">
            <svg width="14" height="14" aria-hidden="true">
              <rect width="14" height="14" rx="3" fill={colour(permission)} />
            </svg>
            {permission}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
