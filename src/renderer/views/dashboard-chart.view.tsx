/**
 * Issue #5: the dashboard's two charts with ECharts (only the bar/line charts, grid, tooltip and the
 * canvas renderer are imported). The canvas renderer styles its elements through the CSSOM, which our
 * CSP (style-src 'self') allows; the same figures are always in a table beside the chart.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, type ReactElement } from 'react';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface ChartProps {
  kind: 'bar' | 'line';
  labels: string[];
  values: (number | null)[];
  /** Accessible name of the chart (the figures are in the table beside it). */
  label: string;
  /** Values are ratios 0–1 shown as percentages. */
  percent?: boolean;
  testId: string;
}

export function DashboardChart({ kind, labels, values, label, percent = false, testId }: ChartProps): ReactElement {
  const ref = useRef<HTMLDivElement | null>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 44, right: 12, top: 16, bottom: 28 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' && percent ? `${(v * 100).toFixed(1)}%` : String(v ?? '—')) },
        xAxis: { type: 'category', data: labels, axisLabel: { fontSize: 11 } },
        yAxis: {
          type: 'value',
          minInterval: percent ? 0 : 1,
          ...(percent ? { min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } } : {}),
        },
        series: [
          kind === 'bar'
            ? { type: 'bar', data: values, itemStyle: { color: '#3e63dd' }, barMaxWidth: 36 }
            : { type: 'line', data: values, connectNulls: true, itemStyle: { color: '#30a46c' }, symbolSize: 7 },
        ],
      },
      true,
    );
  }, [kind, labels, values, percent]);

  return <div ref={ref} className="dashboard__chart" role="img" aria-label={label} data-testid={testId} />;
}
