import { Body, Controller, Get, Headers, Param, Put, Query } from '@nestjs/common';
import { IsArray, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { GeographyError, Geography } from '@caseline/city-geography';
import { Rule, RuleSetConflict } from '@caseline/routing-domain';
import type { Actor } from '@caseline/case-contracts';
import { Access, Acting, problem } from '@caseline/service-kit';
import { AreaStore } from './area-store';
import { InvalidRuleSet, RuleSetStore } from './rule-set.store';

export class PublishRulesDto {
  @IsArray() rules!: Rule[];
  @IsOptional() @IsString() @MaxLength(1000) comment?: string;
  @IsOptional() @IsInt() @Min(0) basedOnVersion?: number;
}

const invalid = (error: InvalidRuleSet) =>
  problem(422, 'Invalid rule set', error.message, error.problems.map((p) => ({ field: p.field, rule: 'rule-set', message: p.message })));

/** Administrators change the routing rules and the city's areas; each rule-set version is an event. */
@Controller('v1/admin')
export class RoutingAdminController {
  constructor(
    private readonly rules: RuleSetStore,
    private readonly areas: AreaStore,
  ) {}

  @Get('routing/rules')
  @Access.staff('config:read')
  current() {
    return this.rules.current;
  }

  /** A new version of the rules, checked against the departments, the catalog and the areas in force. */
  @Put('routing/rules')
  @Access.staff('config:change')
  async publish(@Body() dto: PublishRulesDto, @Acting() actor: Actor) {
    try {
      return await this.rules.publish(dto, this.areas.current, actor);
    } catch (error) {
      if (error instanceof InvalidRuleSet) throw invalid(error);
      if (error instanceof RuleSetConflict) throw problem(409, 'Conflict', error.message);
      throw error;
    }
  }

  @Get('areas')
  @Access.staff('config:read')
  layers() {
    return this.areas.summaries();
  }

  /**
   * Replaces (or adds) an area layer with a GeoJSON FeatureCollection sent as application/geo+json.
   * A bad file, or one that would leave a routing rule naming an area that no longer exists, is
   * refused with the reason (and line), and the layer in force stays in force.
   */
  @Put('areas/:layer')
  @Access.staff('config:change')
  async replaceLayer(
    @Acting() actor: Actor,
    @Param('layer') name: string,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Query('idProperty') idProperty?: string,
    @Query('nameProperty') nameProperty?: string,
    @Query('properties') properties?: string,
  ) {
    if (!/^application\/geo\+json/i.test(contentType ?? '') || typeof body !== 'string') throw problem(415, 'Unsupported Media Type', 'Send the layer as a GeoJSON FeatureCollection with Content-Type: application/geo+json');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) throw problem(400, 'Bad Request', 'A layer name is lower-case letters, digits and "-"', [{ field: 'layer', rule: 'format', message: 'lower-case letters, digits and "-"' }]);
    const stored = await this.areas.specOf(name);
    const idProp = idProperty ?? stored?.idProperty;
    if (!idProp) throw problem(400, 'Bad Request', `Layer ${name} is new: say which feature property is each area's id (?idProperty=…)`, [{ field: 'idProperty', rule: 'required', message: 'required for a new layer' }]);
    const spec = {
      layer: name,
      idProperty: idProp,
      ...((nameProperty ?? stored?.nameProperty) ? { nameProperty: nameProperty ?? stored?.nameProperty } : {}),
      ...((properties !== undefined ? properties.split(',').filter(Boolean) : stored?.properties) ? { properties: properties !== undefined ? properties.split(',').filter(Boolean) : stored?.properties } : {}),
    };
    let layer;
    try {
      layer = this.areas.parse(spec, body, `${name}.geojson`);
    } catch (error) {
      if (error instanceof GeographyError) throw problem(422, 'Invalid area layer', error.message, [{ field: error.line ? `line ${error.line}` : 'body', rule: 'geojson', message: error.message }]);
      throw error;
    }
    const after = new Geography([...this.areas.current.layers.filter((l) => l.layer !== name), layer]);
    const orphaned = this.rules.problemsWith(after);
    if (orphaned.length > 0) throw invalid(new InvalidRuleSet(orphaned, `With this ${name} layer, the routing rules in force`));
    return this.areas.replace(layer, spec, body, actor);
  }
}
