/**
 * Canned backend payloads and a tiny real HTTP server for adapter unit tests.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export type Handler = (
  req: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; json: () => unknown },
  res: http.ServerResponse,
) => void | Promise<void>;

/** Start a loopback HTTP server; sockets are tracked so close() never hangs on keep-alive. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(entry);
      void Promise.resolve(handler({ ...entry, json: () => JSON.parse(body) as unknown }, res)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  let connections = 0;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A complete, valid dossier as the procedure system sends it. */
export function dossier(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    MaHoSo: '000.26.13.H26-251003-0012',
    MaTTHC: '1.001193.000.00.00.H26',
    TenTTHC: 'Đăng ký khai sinh',
    MaLinhVuc: 'HT',
    TenLinhVuc: 'Hộ tịch',
    KenhThucHien: 1,
    ChuHoSo: 'Nguyễn Văn Đức',
    SoGiayToChuHoSo: '001084000999',
    LoaiDoiTuong: 1,
    SoDienThoai: '0912345678',
    Email: 'duc.nv@example.vn',
    DiaChiChuHoSo: 'Số 5 ngõ 12 phố Trần Phú, phường Ba Đình, Hà Nội',
    TrichYeuHoSo: 'Đăng ký khai sinh cho cháu Nguyễn Minh An',
    NgayNopHoSo: '20251003081500',
    NgayTiepNhan: '20251003083000',
    NgayHenTra: '20251003170000',
    TrangThaiHoSo: '4',
    NgayTra: '',
    NgayKetThucXuLy: '',
    NgayTuChoi: '',
    DonViXuLy: 'UBND phường Ba Đình',
    HinhThuc: 0,
    DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: '001084000999' }],
    TaiLieuNop: [
      { TepDinhKemId: 'F1', TenTepDinhKem: 'to-khai-khai-sinh.pdf', DuongDanTaiTepTin: '/files/F1', KichThuoc: 120345 },
    ],
    DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí đăng ký khai sinh', MucPhi: 0, DaThanhToan: true }],
    DanhSachHoSoBoSung: [],
    DanhSachGiayToKetQua: [{ TenGiayTo: 'Giấy khai sinh', MaGiayToKetQua: 'KQ-0012' }],
    NguoiXuLyHienTai: { TenDangNhap: 'tuphap.lan', HoTen: 'Trần Thị Lan' },
    NgayCapNhat: '20251003090000',
    QuaTrinhXuLy: [
      {
        MaHoSo: '000.26.13.H26-251003-0012',
        NguoiXuLy: 'Lê Văn Hùng',
        ChucDanh: 'Công chức một cửa',
        ThoiDiemXuLy: '20251003083000',
        PhongBanXuLy: 'Bộ phận Một cửa',
        NoiDungXuLy: 'Tiếp nhận hồ sơ',
        TrangThai: '2',
        NgayBatDau: '20251003083000',
        NgayKetThucTheoQuyDinh: '',
      },
    ],
    ...overrides,
  };
}

/** A realistic edXML envelope (Vietnamese text, entities, numeric character references). */
export function edxml(options: { docNumber?: string; dueDate?: string | null; priority?: string; attachmentBytes?: number } = {}): string {
  const number = options.docNumber ?? '0012';
  const bytes = Buffer.alloc(options.attachmentBytes ?? 1000, 7);
  const due = options.dueDate === null ? '' : `<edXML:DueDate>${options.dueDate ?? '2026/11/30'}</edXML:DueDate>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From>
        <edXML:OrganId>000.00.00.G22</edXML:OrganId>
        <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
        <edXML:OrganAdd>16 Lê Hồng Phong, Ba Đình, Hà Nội</edXML:OrganAdd>
        <edXML:Email>vpcp@chinhphu.vn</edXML:Email>
        <edXML:Telephone>0243 8258 261</edXML:Telephone>
      </edXML:From>
      <edXML:To>
        <edXML:OrganId>000.26.13.H26</edXML:OrganId>
        <edXML:OrganName>UBND phường Ba Đình</edXML:OrganName>
      </edXML:To>
      <edXML:To>
        <edXML:OrganId>000.27.13.H26</edXML:OrganId>
        <edXML:OrganName>UBND phường Ngọc Hà</edXML:OrganName>
      </edXML:To>
      <edXML:DocumentId>000.00.00.G22,2026/11/20,${number}/VPCP-TTĐT</edXML:DocumentId>
      <edXML:Code>
        <edXML:CodeNumber>${number}</edXML:CodeNumber>
        <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation>
      </edXML:Code>
      <edXML:PromulgationInfo>
        <edXML:Place>Hà Nội</edXML:Place>
        <edXML:PromulgationDate>2026/11/20</edXML:PromulgationDate>
      </edXML:PromulgationInfo>
      <edXML:DocumentType>
        <edXML:Type>1</edXML:Type>
        <edXML:TypeName>Công văn</edXML:TypeName>
      </edXML:DocumentType>
      <edXML:Subject>V/v triển khai &quot;Cải cách thủ tục hành chính&quot; &amp; chuyển đổi số năm 2026</edXML:Subject>
      <edXML:Content>Đề nghị UBND các xã, phường báo c&#225;o kết quả trước ngày 30/11 &lt;gấp&gt;</edXML:Content>
      <edXML:SignerInfo>
        <edXML:Competence>KT. BỘ TRƯỞNG, CHỦ NHIỆM</edXML:Competence>
        <edXML:Position>Phó Chủ nhiệm</edXML:Position>
        <edXML:FullName>Nguyễn Sỹ Hiệp</edXML:FullName>
      </edXML:SignerInfo>
      ${due}
      <edXML:OtherInfo>
        <edXML:Priority>${options.priority ?? '2'}</edXML:Priority>
        <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
        <edXML:TyperNotation>TTĐT</edXML:TyperNotation>
        <edXML:PromulgationAmount>1</edXML:PromulgationAmount>
        <edXML:PageAmount>3</edXML:PageAmount>
      </edXML:OtherInfo>
      <edXML:ResponseFor>
        <edXML:OrganId>000.26.13.H26</edXML:OrganId>
        <edXML:Code>155/UBND-VP</edXML:Code>
        <edXML:PromulgationDate>2026/11/01</edXML:PromulgationDate>
        <edXML:DocumentId>000.26.13.H26,2026/11/01,155/UBND-VP</edXML:DocumentId>
      </edXML:ResponseFor>
      <edXML:SteeringType>1</edXML:SteeringType>
    </edXML:MessageHeader>
    <edXML:TraceHeaderList>
      <edXML:TraceHeader>
        <edXML:OrganId>000.00.00.G22</edXML:OrganId>
        <edXML:Timestamp>2026/11/20 09:15:00</edXML:Timestamp>
      </edXML:TraceHeader>
    </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLManifest>
    <edXML:Reference>
      <edXML:ContentId>cid:1</edXML:ContentId>
      <edXML:ContentType>application/pdf</edXML:ContentType>
      <edXML:Description>Văn bản chính</edXML:Description>
      <edXML:AttachmentName>${number}-VPCP.pdf</edXML:AttachmentName>
    </edXML:Reference>
  </edXML:edXMLManifest>
  <edXML:AttachmentEncoded>
    <edXML:Attachment>
      <edXML:ContentId>cid:1</edXML:ContentId>
      <edXML:AttachmentName>${number}-VPCP.pdf</edXML:AttachmentName>
      <edXML:ContentType>application/pdf</edXML:ContentType>
      <edXML:Value>${bytes.toString('base64').replace(/(.{76})/g, '$1\n')}</edXML:Value>
    </edXML:Attachment>
  </edXML:AttachmentEncoded>
</edXML:edXMLEnvelope>`;
}

/** Instant retries for tests. */
export const fastRetry = { backoff: () => 0 } as const;
