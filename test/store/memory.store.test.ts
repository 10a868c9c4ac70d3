import { dec } from '../../src/domain/decimal';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { makeAsset, makeBook, makeHolding } from '../support/factories';
import { describeMovementContract } from './movement.contract';
import { describeRiskDataContract } from './risk-data.contract';
import { describeStoreContract } from './store.contract';

describeStoreContract('MemoryStore', async () => new MemoryStore());
describeMovementContract('MemoryStore', async () => new MemoryStore());
describeRiskDataContract('MemoryStore', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('describes itself as in-memory and reports its kind', () => {
    const store = new MemoryStore();
    expect(store.kind).toBe('memory');
    expect(store.describe()).toMatch(/in-memory/);
  });

  it('hands out one frozen snapshot between writes, and a new one after any write', async () => {
    const store = new MemoryStore();
    const asset = makeAsset({ id: 'UST', price: '100' });
    await store.replaceBook(makeBook({ assets: [asset], inventory: [makeHolding({ assetId: 'UST' })] }));
    const first = await store.snapshot();
    expect(await store.snapshot()).toBe(first);
    expect(Object.isFrozen(first.assets)).toBe(true);

    await store.setPrices([{ assetId: 'UST', price: dec('101') }]);
    const afterPrice = await store.snapshot();
    expect(afterPrice).not.toBe(first);
    expect(afterPrice.assets[0]!.price.toFixed()).toBe('101');

    await store.setFxRates(new Map([['EUR', dec('1.1')]]));
    const afterFx = await store.snapshot();
    expect(afterFx).not.toBe(afterPrice);
    expect(afterFx.market.fxRates.get('EUR')?.toFixed()).toBe('1.1');
  });

  it('stops answering pings once closed', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});
