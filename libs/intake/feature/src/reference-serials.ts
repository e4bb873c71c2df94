import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deterministicEventId } from '@caseline/event-store';

export const REFERENCE_BLOCK_SIZE = 50;

/** A case's id follows from its reference, so finding a case by the number a caller reads out needs no lookup table. */
export const caseIdForReference = (reference: string): string => deterministicEventId('case-reference', reference);

/** Hands out reference serials from blocks reserved in PostgreSQL, one round trip per block. */
@Injectable()
export class ReferenceSerials {
  private next = 0;
  private end = 0;
  private refill?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.refill ??= this.reserveBlock().finally(() => (this.refill = undefined));
      await this.refill;
    }
    return this.next++;
  }

  private async reserveBlock(): Promise<void> {
    const [{ first }] = await this.dataSource.query<{ first: string }[]>(`SELECT nextval('intake.case_reference_block') AS first`);
    this.next = Number(first);
    this.end = this.next + REFERENCE_BLOCK_SIZE;
  }
}
