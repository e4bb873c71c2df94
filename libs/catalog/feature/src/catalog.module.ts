import { Module } from '@nestjs/common';
import { CatalogStore } from './catalog.store';

/** The service catalog every service reads (its admin API is intake's: CatalogAdminController). */
@Module({ providers: [CatalogStore], exports: [CatalogStore] })
export class CatalogModule {}
