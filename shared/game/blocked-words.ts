/**
 * A deliberately small word filter for nicknames shown on a classroom projector. It is a
 * first line only: the host can rename or kick anyone. Words are matched after folding
 * case, accents and common digit/symbol substitutions ("5h1t").
 * `anywhere` words are rejected inside other words too; `whole` words only on their own,
 * because they occur inside innocent names (e.g. "Scunthorpe", "Dickens", "Essex").
 */
export const BLOCKED_ANYWHERE: readonly string[] = [
  'fuck',
  'shit',
  'nigger',
  'nigga',
  'faggot',
  'fagot',
  'whore',
  'slut',
  'bitch',
  'asshole',
  'bastard',
  'wanker',
  'motherf',
  'retard',
  'rapist',
  'hitler',
  'nazi',
  'porn',
  'penis',
  'vagina',
  'dildo',
  'cum',
  'jizz',
  'twat',
  'kys',
];
export const BLOCKED_WHOLE: readonly string[] = [
  'cunt',
  'cunts',
  'ass',
  'arse',
  'dick',
  'cock',
  'fag',
  'sex',
  'rape',
  'tits',
  'boob',
  'boobs',
  'piss',
  'prick',
  'pussy',
  'hoe',
  'kill yourself',
];
