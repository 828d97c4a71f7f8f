import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { rngFromWords, type DrawSource, type RoundDraws } from '../../shared/random.ts';

const BLOCK_BYTES = 4096;

/**
 * A live round's randomness: a fresh 256-bit key from node:crypto per round, each label's
 * stream the AES-256-CTR keystream under that key (its counter starting from the label's
 * hash). Seeing any number of outputs (image ids, preview seeds, a worker's recipes) tells
 * nothing about the key, so nothing about another stream, round or game.
 */
export function secretDraws(): RoundDraws {
  const key = randomBytes(32);
  return {
    stream(label) {
      const iv = createHash('sha256').update(label).digest().subarray(0, 16);
      const cipher = createCipheriv('aes-256-ctr', key, iv);
      const zeros = Buffer.alloc(BLOCK_BYTES);
      let block = Buffer.alloc(0);
      let at = 0;
      return rngFromWords(() => {
        if (at + 4 > block.length) {
          block = cipher.update(zeros);
          at = 0;
        }
        const word = block.readUInt32LE(at);
        at += 4;
        return word;
      });
    },
  };
}

/** Every round of a live class from its own key. */
export const secretSource: DrawSource = () => secretDraws();
