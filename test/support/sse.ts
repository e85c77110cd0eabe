/** The events of a server-sent event stream, read whole: `event` (default "message") and its JSON data (`{}` when empty). */
export function parseEvents(text: string): Array<{ event: string; data: Record<string, any> }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => /^(?:event|data):/m.test(block))
    .map((block) => {
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      return { event, data: data.trim() ? (JSON.parse(data) as Record<string, any>) : {} };
    });
}
