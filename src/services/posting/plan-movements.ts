/**
 * Turns an optimizer result into the store movements that carry it out. KEEP lines move nothing.
 * RETURN lines become RETURNs from the account to a holding (returnDestination: the asset's
 * cheapest-to-fund holding, else a new DEFAULT_RETURN_LOCATION holding). A DELIVER line from a
 * holding becomes a DELIVER from it; a DELIVER line from `posted:<other account>` (REOPTIMIZE moving
 * collateral between accounts) becomes a DELIVER from the same holding the other account's RETURN
 * goes to. Returns come first, so the batch never draws on collateral before it is back.
 */
import { dec } from '../../domain/decimal';
import type { Book } from '../../domain/model';
import type { MovementRequest } from '../../domain/movement';
import type { OptimizationResult } from '../../optimizer/optimizer.types';
import { POSTED_LOCATION_PREFIX } from '../../optimizer/optimizer.types';
import { returnDestination } from './move-checks';

export function planMovements(book: Book, result: OptimizationResult): MovementRequest[] {
  const returns: MovementRequest[] = [];
  const deliveries: MovementRequest[] = [];
  for (const line of result.lines) {
    if (!line.quantity.greaterThan(0)) continue;
    if (line.movementType === 'RETURN') {
      const destination = returnDestination(book, line.assetId);
      returns.push({
        kind: 'RETURN',
        accountId: line.accountId,
        assetId: line.assetId,
        location: destination.location,
        quantity: line.quantity,
        fundingCostBps: dec(destination.fundingCostBps),
      });
    } else if (line.movementType === 'DELIVER') {
      const location = line.location.startsWith(POSTED_LOCATION_PREFIX)
        ? returnDestination(book, line.assetId).location
        : line.location;
      deliveries.push({
        kind: 'DELIVER',
        accountId: line.accountId,
        assetId: line.assetId,
        location,
        quantity: line.quantity,
      });
    }
  }
  return [...returns, ...deliveries];
}
