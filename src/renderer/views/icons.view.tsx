/** Small inline SVG icons (no icon package): 16px, currentColor, hidden from screen readers. */
import type { ReactElement } from 'react';
import type { Source } from '../../shared/domain';

interface IconProps {
  size?: number;
}

function Svg({ size = 16, children }: IconProps & { children: ReactElement | ReactElement[] }): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export function DossierIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M1.75 4.25v8.5c0 .55.45 1 1 1h10.5c.55 0 1-.45 1-1v-7c0-.55-.45-1-1-1H8L6.5 3H2.75c-.55 0-1 .45-1 1.25Z" />
      <path d="M5 9.25h6M5 11.25h4" />
    </Svg>
  );
}

export function DocumentIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M4 1.75h5.5L12.75 5v8.25c0 .55-.45 1-1 1H4c-.55 0-1-.45-1-1V2.75c0-.55.45-1 1-1Z" />
      <path d="M9.25 1.75V5.25h3.5M5.5 8h5M5.5 10.25h5M5.5 12.5h3" />
    </Svg>
  );
}

export function MailIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <rect x="1.75" y="3.25" width="12.5" height="9.5" rx="1" />
      <path d="m2.25 4 5.75 4.5L13.75 4" />
    </Svg>
  );
}

export function SourceIcon({ source, size }: IconProps & { source: Source }): ReactElement {
  if (source === 'procedure') return <DossierIcon size={size} />;
  if (source === 'document') return <DocumentIcon size={size} />;
  return <MailIcon size={size} />;
}

export function SyncIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M13.25 6.5A5.25 5.25 0 0 0 3.4 4.6M2.75 9.5a5.25 5.25 0 0 0 9.85 1.9" />
      <path d="M3.25 1.75V4.9h3.1M12.75 14.25V11.1h-3.1" />
    </Svg>
  );
}

export function SearchIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="7" cy="7" r="4.75" />
      <path d="m10.5 10.5 3.75 3.75" />
    </Svg>
  );
}

export function ClockIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="8" cy="8" r="6.25" />
      <path d="M8 4.5V8l2.5 1.5" />
    </Svg>
  );
}

export function WarningIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M8 1.75 14.5 13.5h-13L8 1.75Z" />
      <path d="M8 6.25v3.5M8 11.6v.15" />
    </Svg>
  );
}

export function ChevronDownIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="m4 6 4 4 4-4" />
    </Svg>
  );
}

export function EmblemIcon(p: IconProps): ReactElement {
  return (
    <svg width={p.size ?? 28} height={p.size ?? 28} viewBox="0 0 28 28" aria-hidden="true" focusable="false">
      <circle cx="14" cy="14" r="13" fill="#c8102e" />
      <path fill="#ffcd00" d="m14 5.5 2.1 6.3h6.6l-5.35 3.9 2.05 6.3L14 18.1 8.6 22l2.05-6.3L5.3 11.8h6.6Z" />
    </svg>
  );
}
