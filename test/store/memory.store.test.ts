import { MemoryStore } from '../../src/store/memory/memory.store';
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

  it('stops answering pings once closed', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});
