import { verbs } from './cli/verbs';
import { EXIT, UsageError } from './cli/verb';

function help(): string {
  const width = Math.max(...verbs.map((v) => v.usage.length));
  const lines = verbs.map((v) => `  vantage ${v.usage.padEnd(width)}  ${v.summary}`);
  return `Vantage: see and steer your Linux machine.\n\nUsage:\n${lines.join('\n')}\n  vantage --help${' '.repeat(Math.max(0, width - 6))}  this list\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const verb = verbs.find((v) => v.name === name);
  if (!verb) {
    process.stderr.write(`vantage: unknown verb '${name}'\n\n${help()}`);
    return EXIT.usage;
  }
  try {
    return await verb.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vantage ${verb.name}: ${err.message}\nusage: vantage ${verb.usage}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
