import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ResultRow } from '../../shared/game/engine.ts';

/**
 * Results as they happen, in SQLite through Node's built-in node:sqlite: nothing to
 * install, one file, and the report survives a server restart.
 */
export class ResultsStore {
  private readonly db: DatabaseSync;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(join(dataDir, 'latent-arena.sqlite'));
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS games (
        code TEXT PRIMARY KEY,
        host_secret_hash TEXT NOT NULL,
        settings TEXT NOT NULL,
        created_at TEXT NOT NULL,
        ended_at TEXT
      );
      CREATE TABLE IF NOT EXISTS results (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        game_code TEXT NOT NULL REFERENCES games(code),
        round_index INTEGER NOT NULL,
        round_type TEXT NOT NULL,
        player_id TEXT NOT NULL,
        nickname TEXT NOT NULL,
        answer TEXT NOT NULL,
        truth TEXT NOT NULL,
        points INTEGER NOT NULL,
        elapsed_ms INTEGER,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS results_by_game ON results (game_code, round_index);
      -- A live lobby, so that it survives a restart: the room's seats and the match's snapshot,
      -- and each answer and rating as it arrives. Dropped when the game ends or the lobby idles out.
      CREATE TABLE IF NOT EXISTS lobbies (
        code TEXT PRIMARY KEY REFERENCES games(code),
        room TEXT NOT NULL,
        match TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS lobby_answers (
        code TEXT NOT NULL,
        round_index INTEGER NOT NULL,
        player_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        PRIMARY KEY (code, round_index, player_id)
      );
      CREATE TABLE IF NOT EXISTS lobby_ratings (
        code TEXT NOT NULL,
        round_index INTEGER NOT NULL,
        target TEXT NOT NULL,
        rater TEXT NOT NULL,
        stars INTEGER NOT NULL,
        PRIMARY KEY (code, round_index, target, rater)
      );
    `);
  }

  codeExists(code: string): boolean {
    return this.db.prepare('SELECT 1 FROM games WHERE code = ?').get(code) !== undefined;
  }

  createGame(code: string, hostSecret: string, settings: unknown): void {
    this.db
      .prepare('INSERT INTO games (code, host_secret_hash, settings, created_at) VALUES (?, ?, ?, ?)')
      .run(code, hashSecret(hostSecret), JSON.stringify(settings), new Date().toISOString());
  }

  updateSettings(code: string, settings: unknown): void {
    this.db.prepare('UPDATE games SET settings = ? WHERE code = ?').run(JSON.stringify(settings), code);
  }

  endGame(code: string): void {
    this.db.prepare('UPDATE games SET ended_at = ? WHERE code = ? AND ended_at IS NULL').run(new Date().toISOString(), code);
  }

  /** True when `secret` is the host secret of game `code`. */
  checkHostSecret(code: string, secret: string): boolean {
    const row = this.db.prepare('SELECT host_secret_hash AS h FROM games WHERE code = ?').get(code) as { h: string } | undefined;
    return row !== undefined && row.h === hashSecret(secret);
  }

  recordResults(code: string, rows: readonly ResultRow[]): void {
    const insert = this.db.prepare(
      `INSERT INTO results (game_code, round_index, round_type, player_id, nickname, answer, truth, points, elapsed_ms, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    this.db.exec('BEGIN');
    try {
      for (const r of rows) {
        insert.run(code, r.roundIndex, r.roundType, r.playerId, r.nickname, r.answer, r.truth, r.points, r.elapsedMs, now);
      }
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /**
   * Rewrites the answer text and points of rows already recorded (a rated round's rows once
   * its ratings close: the ratings are part of the answer text, their points in `points`).
   */
  updateResults(code: string, rows: readonly ResultRow[]): void {
    const update = this.db.prepare('UPDATE results SET answer = ?, points = ? WHERE game_code = ? AND round_index = ? AND player_id = ?');
    this.db.exec('BEGIN');
    try {
      for (const r of rows) update.run(r.answer, r.points, code, r.roundIndex, r.playerId);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  results(code: string): ResultRow[] {
    const rows = this.db
      .prepare(
        `SELECT round_index, round_type, player_id, nickname, answer, truth, points, elapsed_ms
         FROM results WHERE game_code = ? ORDER BY round_index, id`,
      )
      .all(code) as Record<string, unknown>[];
    return rows.map((r) => ({
      roundIndex: Number(r.round_index),
      roundType: r.round_type as ResultRow['roundType'],
      playerId: String(r.player_id),
      nickname: String(r.nickname),
      answer: String(r.answer),
      truth: String(r.truth),
      points: Number(r.points),
      elapsedMs: r.elapsed_ms === null ? null : Number(r.elapsed_ms),
    }));
  }

  // ---- live lobbies (a class survives a restart) ----------------------------------------

  /** The lobby as it stands: the room's part and the match's snapshot, both as JSON text. */
  saveLobby(code: string, room: string, match: string): void {
    this.db
      .prepare(
        'INSERT INTO lobbies (code, room, match, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET room = excluded.room, match = excluded.match, updated_at = excluded.updated_at',
      )
      .run(code, room, match, new Date().toISOString());
  }

  /** One answer on receipt (JSON text of the engine's stored answer). A player's later seat id replaces nothing: answers are once per round. */
  saveLobbyAnswer(code: string, round: number, playerId: string, answer: string): void {
    this.db.prepare('INSERT OR REPLACE INTO lobby_answers (code, round_index, player_id, answer) VALUES (?, ?, ?, ?)').run(code, round, playerId, answer);
  }

  saveLobbyRating(code: string, round: number, target: string, rater: string, stars: number): void {
    this.db.prepare('INSERT OR REPLACE INTO lobby_ratings (code, round_index, target, rater, stars) VALUES (?, ?, ?, ?, ?)').run(code, round, target, rater, stars);
  }

  /** Player ids changed (a seat taken back on a new connection after a restart): its results, saved answers and ratings follow. */
  rekeyLobbyPlayer(code: string, oldId: string, newId: string): void {
    this.db.exec('BEGIN');
    try {
      this.db.prepare('UPDATE results SET player_id = ? WHERE game_code = ? AND player_id = ?').run(newId, code, oldId);
      this.db.prepare('UPDATE lobby_answers SET player_id = ? WHERE code = ? AND player_id = ?').run(newId, code, oldId);
      this.db.prepare('UPDATE lobby_ratings SET target = ? WHERE code = ? AND target = ?').run(newId, code, oldId);
      this.db.prepare('UPDATE lobby_ratings SET rater = ? WHERE code = ? AND rater = ?').run(newId, code, oldId);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** The codes of the lobbies a previous process left live. */
  liveLobbyCodes(): string[] {
    return (this.db.prepare('SELECT code FROM lobbies ORDER BY updated_at').all() as { code: string }[]).map((r) => r.code);
  }

  /** A live lobby as saved, with what it received; null when none is saved under that code. */
  liveLobby(code: string): LiveLobby | null {
    const lobby = this.db.prepare('SELECT room, match FROM lobbies WHERE code = ?').get(code) as { room: string; match: string } | undefined;
    if (!lobby) return null;
    return {
      code,
      room: lobby.room,
      match: lobby.match,
      answers: (this.db.prepare('SELECT answer FROM lobby_answers WHERE code = ? ORDER BY round_index').all(code) as { answer: string }[]).map((r) => r.answer),
      ratings: (this.db.prepare('SELECT round_index, target, rater, stars FROM lobby_ratings WHERE code = ?').all(code) as Record<string, unknown>[]).map((r) => ({
        round: Number(r.round_index),
        target: String(r.target),
        rater: String(r.rater),
        stars: Number(r.stars),
      })),
    };
  }

  /** The lobby is over (its game ended, or it idled out): nothing of it is restored again. Its results stay. */
  dropLobby(code: string): void {
    for (const table of ['lobbies', 'lobby_answers', 'lobby_ratings']) this.db.prepare(`DELETE FROM ${table} WHERE code = ?`).run(code);
  }

  close(): void {
    this.db.close();
  }
}

export interface LiveLobby {
  code: string;
  room: string;
  match: string;
  answers: string[];
  ratings: { round: number; target: string; rater: string; stars: number }[];
}

/** Only a hash is stored (host secrets, seat keys): a copied database file hands out no control and no seat. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
