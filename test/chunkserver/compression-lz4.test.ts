// compression-lz4: blocks round-trip, and anything that does not decode to the recorded size is CHUNK_CORRUPT.
import { expect } from 'chai';
import { BLOCK_SIZE_BYTES } from '@mooseng/core';
import { Lz4Compressor, manifest } from '@mooseng/plugin-compression-lz4';
import { expectCode, randomBytes, textBytes } from './helpers';

describe('compression-lz4', () => {
  const lz4 = new Lz4Compressor();

  it('contributes a chunkserver compressor named lz4', () => {
    expect(manifest.provides.map((c) => [c.kind, c.id, c.roles])).to.deep.equal([['compressor', 'compression-lz4', ['chunkserver']]]);
    expect(lz4.algorithm).to.equal('lz4');
  });

  it('round-trips text (smaller) and noise (not smaller) blocks', async () => {
    const text = textBytes(BLOCK_SIZE_BYTES);
    const packed = await lz4.compress(text);
    expect(packed.length).to.be.below(text.length / 4);
    expect(Buffer.from(await lz4.decompress(packed, text.length)).equals(text)).to.equal(true);
    const noise = randomBytes(BLOCK_SIZE_BYTES, 3);
    expect((await lz4.compress(noise)).length).to.be.at.least(noise.length);
  });

  it('reports a wrong length or undecodable bytes as CHUNK_CORRUPT', async () => {
    const text = textBytes(BLOCK_SIZE_BYTES);
    const packed = Buffer.from(await lz4.compress(text));
    await expectCode(lz4.decompress(packed, text.length - 1), 'CHUNK_CORRUPT');
    await expectCode(lz4.decompress(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]), text.length), 'CHUNK_CORRUPT');
  });
});
