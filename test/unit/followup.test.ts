import { describe, expect, it } from 'vitest';
import { resolveFollowUp, type Mention, type TurnFocus } from '../../src/conversation/followup.ts';

/** Follow-up rules over a previous turn, with the graph lookup of a fragment given by the test. */
const people = (n: number, names: string[] = []): TurnFocus['answer'] => ({ label: 'Person', ids: Array.from({ length: n }, (_, i) => `4:x:${i}`), names });
const jane: Mention = { text: 'Jane Smith', label: 'Person', property: 'name', isName: true };
const reports: TurnFocus = { question: 'Which employees report to Jane Smith?', noun: 'employees', answer: people(5), mentions: [jane] };
const lookup = (table: Record<string, Mention[]>) => async (fragment: string) => table[fragment] ?? [];
const none = lookup({});

describe('follow-up rules', () => {
  it('asks a plural reference of the previous answer set, with the noun the previous question used', async () => {
    const r = await resolveFollowUp('Which of them work in Berlin?', reports, none);
    expect(r).toMatchObject({ kind: 'rewrite', question: 'Which employees work in Berlin?', seed: { label: 'Person', ids: reports.answer!.ids, description: 'the 5 people from the previous answer' } });
    expect(await resolveFollowUp('How many of those are remote?', reports, none)).toMatchObject({ question: 'How many employees are remote?' });
    expect(await resolveFollowUp('Do they work remotely?', reports, none)).toMatchObject({ question: 'Do employees work remotely?' });
  });

  it('declines a plural reference to nothing, but after "none of them" still means the set asked about', async () => {
    const empty: TurnFocus = { question: 'Which employees report to Benjamin Clarke?', answer: people(0), mentions: [] };
    expect(await resolveFollowUp('Which of them work in Berlin?', empty, none)).toMatchObject({ kind: 'decline' });
    const afterSeed: TurnFocus = { ...empty, askedOf: people(5) };
    expect(await resolveFollowUp('Which of them work in Boston?', afterSeed, none)).toMatchObject({ kind: 'rewrite', seed: { ids: people(5)!.ids } });
  });

  it('binds a singular pronoun by number: the one answer, else the one name asked about, else declines', async () => {
    const one: TurnFocus = { question: 'Who leads Project Delta?', answer: people(1, ['Hannah Weber']), mentions: [] };
    expect(await resolveFollowUp('Which office does she work in?', one, none)).toMatchObject({ question: 'Which office does Hannah Weber work in?' });
    // "her" before a noun is a possessive, after a preposition an object.
    expect(await resolveFollowUp('What is her salary?', reports, none)).toMatchObject({ question: "What is Jane Smith's salary?" });
    expect(await resolveFollowUp('Who reports to her?', { ...one, answer: people(1, ['Jane Smith']) }, none)).toMatchObject({ question: 'Who reports to Jane Smith?' });
    const four: TurnFocus = { question: 'Who earns more than $200,000?', answer: people(4), mentions: [] };
    const r = await resolveFollowUp('What is his title?', four, none);
    expect(r.kind).toBe('decline');
  });

  it('reads ellipsis as the previous question with a value of the same kind replaced', async () => {
    const hired: TurnFocus = { question: 'Which employees joined in 2022?', mentions: [] };
    expect(await resolveFollowUp('And in 2024?', hired, none)).toMatchObject({ kind: 'rewrite', question: 'Which employees joined in 2024?' });
    const avg: TurnFocus = { question: 'What is the average salary in Engineering?', mentions: [{ text: 'Engineering', label: 'Person', property: 'department', isName: false }] };
    const sales = lookup({ Sales: [{ text: 'Sales', label: 'Person', property: 'department', isName: false }] });
    expect(await resolveFollowUp('What about Sales?', avg, sales)).toMatchObject({ question: 'What is the average salary in Sales?' });
    // A value of nothing the previous question named cannot be placed.
    expect(await resolveFollowUp('What about Berlin?', avg, lookup({ Berlin: [{ text: 'Berlin', label: 'Office', property: 'city', isName: false }] }))).toMatchObject({ kind: 'decline' });
    // "And which …?" is a question of its own, not a fragment.
    expect(await resolveFollowUp('And which tasks are blocked?', avg, sales)).toEqual({ kind: 'none' });
  });

  it('leaves a question that refers to nothing as it is', async () => {
    expect(await resolveFollowUp('How many tasks are blocked?', reports, none)).toEqual({ kind: 'none' });
    expect(await resolveFollowUp('Which of them work in Berlin?', undefined, none)).toEqual({ kind: 'none' });
  });

  it('resolves Chinese partitives, pronouns and 呢', async () => {
    const zh: TurnFocus = { question: '哪些员工向张伟汇报?', answer: people(3), mentions: [{ text: '张伟', label: 'Person', property: 'name', isName: true }] };
    expect(await resolveFollowUp('其中哪些人远程办公?', zh, none)).toMatchObject({ question: '哪些人远程办公?', seed: { ids: people(3)!.ids } });
    expect(await resolveFollowUp('他们的职位是什么?', zh, none)).toMatchObject({ question: '员工的职位是什么?', seed: { ids: people(3)!.ids } });
    const one: TurnFocus = { question: '天枢项目的负责人是谁?', answer: people(1, ['张伟']), mentions: [] };
    expect(await resolveFollowUp('他有多少个任务?', one, none)).toMatchObject({ question: '张伟有多少个任务?' });
    const count: TurnFocus = { question: '有多少名员工直接向周明远汇报?', mentions: [{ text: '周明远', label: 'Person', property: 'name', isName: true }] };
    const lin = lookup({ 林晓峰: [{ text: '林晓峰', label: 'Person', property: 'name', isName: true }] });
    expect(await resolveFollowUp('那林晓峰呢?', count, lin)).toMatchObject({ question: '有多少名员工直接向林晓峰汇报?' });
  });
});
